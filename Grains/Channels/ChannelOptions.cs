namespace OrleansNsq.Grains.Channels;

/// <summary>
/// What channel grains need from nsqd's flags. Bound from configuration section <see cref="SectionName"/>; the Silo
/// copies <c>--max-msg-timeout</c> and <c>--msg-timeout</c> from <c>NsqdOptions</c> through
/// <c>AddNsqGrains(o =&gt; …)</c>. Defaults are nsqd 1.3.0's.
/// </summary>
public sealed class ChannelOptions
{
    public const string SectionName = "Nsqd:Channel";

    /// <summary>nsqd --msg-timeout default, 60 s, in ms.</summary>
    public const int DefaultMsgTimeoutMs = 60_000;

    /// <summary>--max-msg-timeout, default 15 min: a TOUCH never extends a delivery beyond this, and no lease is longer.</summary>
    public TimeSpan MaxMsgTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>--msg-timeout, default 60 s: the lease timeout of a pull that names none.</summary>
    public TimeSpan MsgTimeout { get; set; } = TimeSpan.FromMilliseconds(DefaultMsgTimeoutMs);

    /// <summary>How often a channel with messages in flight or deferred looks for expired and due ones, default 100 ms
    /// (nsqd's --queue-scan-interval).</summary>
    public TimeSpan ScanInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>A subscriber that neither pulls nor reports its consumers for this long is forgotten (its gateway is
    /// presumed gone), default 2 min. Gateways pull or call SetSubscriber more often than that.</summary>
    public TimeSpan SubscriberIdleTimeout { get; set; } = TimeSpan.FromMinutes(2);
}
