namespace OrleansNsq.Messages;

/// <summary>
/// What one pull returns: messages now in flight for the puller until <see cref="DeadlineUnixMs"/>, or nothing when the
/// long poll ran out. <see cref="ChannelDeleted"/> tells the puller to close its consumers (nsqd closes the client
/// connections of a deleted channel).
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansNsq.DeliveryBatch")]
public sealed class DeliveryBatch(DeliveredMessage[] messages, long deadlineUnixMs, bool channelDeleted = false)
{
    /// <summary>The answer of a long poll that ran out (or was cancelled) with nothing ready.</summary>
    public static readonly DeliveryBatch Empty = new([], 0);
    /// <summary>The answer of a pull on a deleted (or never created) channel.</summary>
    public static readonly DeliveryBatch Deleted = new([], 0, channelDeleted: true);

    /// <summary>The leased messages (at most the pull's MaxCount, at most 2,000), each now in flight: FIN, REQ or
    /// TOUCH them by id through <see cref="IChannelGrain.SettleAsync"/>.</summary>
    [Id(0)] public DeliveredMessage[] Messages { get; } = messages;

    /// <summary>In-flight deadline of every message in the batch, Unix ms (grain clock).</summary>
    [Id(1)] public long DeadlineUnixMs { get; } = deadlineUnixMs;

    /// <summary>The channel is gone: stop pulling (nsqd closes the channel's consumers).</summary>
    [Id(2)] public bool ChannelDeleted { get; } = channelDeleted;

    /// <summary>Number of messages.</summary>
    public int Count => Messages.Length;
}
