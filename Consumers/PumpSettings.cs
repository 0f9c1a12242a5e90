using OrleansNsq.Messages;

namespace OrleansNsq.Consumers;

/// <summary>How a <see cref="ChannelPump"/> talks to its channel grain; each owner fills it from its own options
/// (the gateway's <c>Gateway:Subscriptions</c>, a <see cref="ChannelConsumerOptions"/>).</summary>
internal sealed record PumpSettings
{
    /// <summary>Most messages one pull may lease.</summary>
    public int MaxPullCount { get; init; } = 500;

    /// <summary>How long a pull may wait in the channel grain when nothing is ready; the pump asks for at most
    /// <see cref="PullRequest.MaxWaitMs"/> (below Orleans' 30 s call timeout).</summary>
    public TimeSpan PullWait { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Longest a settle call, or a pull beyond its <see cref="PullWait"/>, may take before it is given up (the
    /// gateway's --publish-timeout): a channel grain cut off from this silo costs its own pump that long, not Orleans'
    /// 30 s call timeout.</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Wait after a failed pull before the next (the grain's silo may be restarting).</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How often expired leases are freed here (nsqd's queue scanner runs every 100 ms).</summary>
    public TimeSpan LeaseScanInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The channel grain forgets a subscriber it has not heard from for 2 minutes; busy holders do not pull,
    /// so the holder count is repeated when this long has passed since the last report.</summary>
    public TimeSpan ReportInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>--max-msg-timeout: TOUCH never extends a lease beyond delivery + this. The grain caps it too; a
    /// consumer that does not know the node's value leaves the default (about 24 days, no cap in practice).</summary>
    public long MaxMsgTimeoutMs { get; init; } = int.MaxValue;
}
