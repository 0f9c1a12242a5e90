using OrleansNsq.Messages;

namespace OrleansNsq.Consumers;

/// <summary>
/// How a <see cref="ChannelConsumer"/> subscribes: the NSQ consumer settings a .NET service would otherwise give in
/// IDENTIFY and RDY. Defaults follow nsqd's and go-nsq's.
/// </summary>
public sealed class ChannelConsumerOptions
{
    /// <summary>Default of <see cref="MaxInFlight"/>: 100, the nsqjs test consumer's and a common go-nsq setting.</summary>
    public const int DefaultMaxInFlight = 100;

    /// <summary>Default of <see cref="MaxPullCount"/>: 500, the gateway's own batch size (one
    /// <see cref="Messages.DeliveryBatch"/> of small messages stays off the large-object heap).</summary>
    public const int DefaultMaxPullCount = 500;

    /// <summary>The most <see cref="PullWait"/> may be: <see cref="PullRequest.MaxWaitMs"/>, 20 s, Orleans' default
    /// response timeout (30 s) less 10 s for the call itself.</summary>
    public static readonly TimeSpan MaxPullWait = TimeSpan.FromMilliseconds(PullRequest.MaxWaitMs);

    /// <summary>Default of <see cref="MaxReqDelay"/>: nsqd's --max-req-timeout default, 1 hour.</summary>
    public static readonly TimeSpan DefaultMaxReqDelay = TimeSpan.FromHours(1);

    /// <summary>RDY: at most this many messages are in flight (received and neither FIN'd, REQ'd nor timed out) at
    /// once. The consumer pulls only against the free part of it, so a slow handler slows the pulls (backpressure)
    /// and never makes messages wait in a local buffer. Default <see cref="DefaultMaxInFlight"/>.</summary>
    public int MaxInFlight { get; set; } = DefaultMaxInFlight;

    /// <summary>IDENTIFY msg_timeout: how long a message stays in flight before the channel delivers it again
    /// (attempts + 1). <see cref="TimeSpan.Zero"/> (the default) means the node's --msg-timeout (60 s by default);
    /// the node caps it at --max-msg-timeout (15 min by default).</summary>
    public TimeSpan MsgTimeout { get; set; } = TimeSpan.Zero;

    /// <summary>Long poll: how long one pull may wait in the channel grain when nothing is ready, from 0 to
    /// <see cref="MaxPullWait"/> (20 s, so a waiting pull answers within Orleans' 30 s response timeout; more is refused
    /// when subscribing). Default 10 s, as the gateway.</summary>
    public TimeSpan PullWait { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Most messages one pull asks for. Default <see cref="DefaultMaxPullCount"/>.</summary>
    public int MaxPullCount { get; set; } = DefaultMaxPullCount;

    /// <summary>How often the consumer repeats its subscription to the channel grain (<c>client_count</c>). The
    /// channel forgets a subscriber it has not heard from for 2 minutes; a consumer whose every slot is busy does not
    /// pull, so it must repeat. Default 30 s, as the gateway.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Wait after a failed pull before the next (the grain's silo may be restarting). Default 1 s.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>REQ delays are capped at this (nsqd answers E_INVALID above --max-req-timeout; the grain API takes
    /// the cap instead). Default <see cref="DefaultMaxReqDelay"/>.</summary>
    public TimeSpan MaxReqDelay { get; set; } = DefaultMaxReqDelay;

    internal void Validate()
    {
        if (MaxInFlight < 1) throw new ArgumentOutOfRangeException(nameof(MaxInFlight), MaxInFlight, "MaxInFlight must be at least 1");
        if (MaxPullCount < 1) throw new ArgumentOutOfRangeException(nameof(MaxPullCount), MaxPullCount, "MaxPullCount must be at least 1");
        if (MsgTimeout < TimeSpan.Zero || MsgTimeout.TotalMilliseconds > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(MsgTimeout), MsgTimeout, "MsgTimeout must be between 0 and int.MaxValue ms");
        if (PullWait < TimeSpan.Zero || PullWait > MaxPullWait)
            throw new ArgumentOutOfRangeException(nameof(PullWait), PullWait,
                $"PullWait must be between 0 and {MaxPullWait.TotalSeconds:0} s (ChannelConsumerOptions.MaxPullWait), below Orleans' 30 s response timeout");
        if (HeartbeatInterval <= TimeSpan.Zero || HeartbeatInterval >= TimeSpan.FromMinutes(2))
            throw new ArgumentOutOfRangeException(nameof(HeartbeatInterval), HeartbeatInterval, "HeartbeatInterval must be above 0 and below the channel's 2 minute subscriber idle timeout");
        if (RetryDelay < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(RetryDelay), RetryDelay, "RetryDelay must not be negative");
        if (MaxReqDelay < TimeSpan.Zero || MaxReqDelay.TotalMilliseconds > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(MaxReqDelay), MaxReqDelay, "MaxReqDelay must be between 0 and int.MaxValue ms");
    }
}
