namespace OrleansNsq.Gateway.Options;

/// <summary>
/// nsqlookupd's flags for the co-hosted lookupd role, with nsqlookupd 1.3.0's defaults. Bound from configuration
/// section <c>Lookupd</c> (<c>--lookupd-tcp-listen-address</c> → <c>Lookupd:TcpAddress</c>,
/// <c>--inactive-producer-timeout</c> → <c>Lookupd:InactiveProducerTimeout</c>). The lookupd HTTP address and
/// --tombstone-lifetime predate this section and stay under <c>Nsqd</c>.
/// </summary>
public sealed class LookupdOptions
{
    public const string SectionName = "Lookupd";

    /// <summary>nsqlookupd's --tcp-address, default 0.0.0.0:4160: where nsqd nodes register. Empty disables it.</summary>
    public string TcpAddress { get; set; } = "0.0.0.0:4160";

    /// <summary>--inactive-producer-timeout, default 5m: a registered nsqd whose last IDENTIFY or PING is older is left
    /// out of /lookup and /nodes (nsqd PINGs every 15 s).</summary>
    public TimeSpan InactiveProducerTimeout { get; set; } = TimeSpan.FromMinutes(5);
}
