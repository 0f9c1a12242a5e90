namespace OrleansNsq.Grains.Channels;

/// <summary>
/// What channel grains take from nsqd's flags. Bound from configuration section <see cref="SectionName"/>
/// (<c>Nsqd</c>, the section <c>NsqdOptions</c> binds from too), so <c>--max-msg-timeout</c>, <c>--msg-timeout</c> and
/// <c>--queue-scan-interval</c> reach the grains under the same keys; <c>AddNsqGrains(o =&gt; …)</c> can override them.
/// Defaults are nsqd 1.3.0's.
/// </summary>
public sealed class ChannelOptions
{
    public const string SectionName = "Nsqd";

    /// <summary>nsqd --msg-timeout default, 60 s, in ms.</summary>
    public const int DefaultMsgTimeoutMs = 60_000;

    /// <summary>--max-msg-timeout, default 15 min: a TOUCH never extends a delivery beyond this, and no lease is longer.</summary>
    public TimeSpan MaxMsgTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>--msg-timeout, default 60 s: the lease timeout of a pull that names none.</summary>
    public TimeSpan MsgTimeout { get; set; } = TimeSpan.FromMilliseconds(DefaultMsgTimeoutMs);

    /// <summary>--max-msg-size, default 1048576 (1 MiB): a publish with a larger body is refused by the topic grain
    /// (<see cref="ArgumentOutOfRangeException"/>), whoever calls it, as nsqd refuses it on the wire
    /// (E_BAD_MESSAGE). The gateway checks its own --max-msg-size first and answers nsqd's errors; a standalone gateway
    /// whose limit is above the silos' sees E_PUB_FAILED instead.</summary>
    public long MaxMsgSize { get; set; } = 1_048_576;

    /// <summary>--max-req-timeout, default 1 h: a publish deferred longer than this is refused by the topic grain
    /// (<see cref="ArgumentOutOfRangeException"/>), as nsqd refuses such a DPUB (E_INVALID).</summary>
    public TimeSpan MaxReqTimeout { get; set; } = TimeSpan.FromHours(1);

    /// <summary>--queue-scan-interval, default 100 ms: how often a channel with messages in flight or deferred requeues
    /// expired ones and readies due ones. Every channel scans itself, so there is no nsqd-style 5 s list refresh.</summary>
    public TimeSpan QueueScanInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>--mem-queue-size, default 10000. 0: every publish is on disk before its OK (the topic waits for the
    /// message log's commit); above 0 the log is written behind, without making publishes wait.</summary>
    public long MemQueueSize { get; set; } = 10_000;

    /// <summary>Bodies a channel or topic whose messages are in the message log keeps in memory: --mem-queue-size, or
    /// the default when it is 0 (durability then comes from the publish waiting for the commit, not from reading every
    /// message back from disk).</summary>
    public int MemoryLimit => (int)Math.Min(int.MaxValue / 2, MemQueueSize > 0 ? MemQueueSize : new ChannelOptions().MemQueueSize);

    /// <summary>How often a durable channel whose progress changed writes its cursor to the message log (and on
    /// deactivation). After a crash, what was settled since the last write is delivered again. Default 1 s.</summary>
    public TimeSpan CursorSaveInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A subscriber that neither pulls nor reports its consumers for this long is forgotten (its gateway is
    /// presumed gone), default 2 min. Gateways pull or call SetSubscriber more often than that.</summary>
    public TimeSpan SubscriberIdleTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>--e2e-processing-latency-percentile: the quantiles of publish-to-FIN latency /stats reports per channel
    /// and topic, each in (0, 1], highest first. Empty (the default): none are kept.</summary>
    public double[] E2eProcessingLatencyPercentiles { get; set; } = [];

    /// <summary>--e2e-processing-latency-window-time, default 10 min: the latencies counted are at most this old.</summary>
    public TimeSpan E2eProcessingLatencyWindowTime { get; set; } = TimeSpan.FromMinutes(10);
}
