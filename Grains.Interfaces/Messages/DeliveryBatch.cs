namespace OrleansNsq.Messages;

/// <summary>
/// What one pull returns: messages now in flight for the puller until <see cref="DeadlineUnixMs"/>, or nothing when the
/// long poll ran out. <see cref="ChannelDeleted"/> tells the puller to close its consumers (nsqd closes the client
/// connections of a deleted channel).
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansNsq.DeliveryBatch")]
public sealed class DeliveryBatch(DeliveredMessage[] messages, long deadlineUnixMs, bool channelDeleted = false)
{
    public static readonly DeliveryBatch Empty = new([], 0);
    public static readonly DeliveryBatch Deleted = new([], 0, channelDeleted: true);

    [Id(0)] public DeliveredMessage[] Messages { get; } = messages;

    /// <summary>In-flight deadline of every message in the batch, Unix ms (grain clock).</summary>
    [Id(1)] public long DeadlineUnixMs { get; } = deadlineUnixMs;

    [Id(2)] public bool ChannelDeleted { get; } = channelDeleted;

    public int Count => Messages.Length;
}
