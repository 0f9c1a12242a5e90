namespace OrleansNsq.Tools.Upstream;

/// <summary>How nsq_to_http and nsq_to_nsq pick one destination per message (their <c>--mode</c>).</summary>
internal enum UpstreamMode
{
    /// <summary><c>round-robin</c>: the next destination in turn, whatever happened before.</summary>
    RoundRobin,

    /// <summary><c>hostpool</c> (NSQ's default): in turn, but a destination that failed is skipped for a while (go-hostpool).</summary>
    HostPool,
}

internal static class UpstreamModes
{
    /// <summary>NSQ's values; <c>epsilon-greedy</c> is taken as <c>hostpool</c> (we do not weigh by response time).</summary>
    public static UpstreamMode? Parse(string? text) => text switch
    {
        "round-robin" => UpstreamMode.RoundRobin,
        "hostpool" or "epsilon-greedy" => UpstreamMode.HostPool,
        _ => null,
    };
}
