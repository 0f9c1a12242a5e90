namespace OrleansNsq.Messages;

/// <summary>
/// What one pull returns: messages now in flight for the puller until <see cref="DeadlineUnixMs"/>, or nothing when the
/// long poll ran out. <see cref="ChannelDeleted"/> says the channel does not exist; <see cref="DeletedByItsTopic"/>
/// says whether it was deleted (the puller's consumers end, as nsqd closes the connections of a deleted channel) or is
/// merely unknown to the activation that answered (lost with a failed silo without having been saved, or never
/// created: subscribing again recreates it).
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansNsq.DeliveryBatch")]
public sealed class DeliveryBatch(DeliveredMessage[] messages, long deadlineUnixMs, bool channelDeleted = false,
    bool deletedByItsTopic = false)
{
    /// <summary>The answer of a long poll that ran out (or was cancelled) with nothing ready.</summary>
    public static readonly DeliveryBatch Empty = new([], 0);
    /// <summary>The answer to a subscriber of a channel its topic deleted (/channel/delete, /topic/delete, the last
    /// consumer of an #ephemeral channel leaving): every subscriber registered when it was deleted gets it once.</summary>
    public static readonly DeliveryBatch Deleted = new([], 0, channelDeleted: true, deletedByItsTopic: true);
    /// <summary>The answer of a channel the answering activation does not know and did not delete: never created, or
    /// lost with a failed silo without having been saved (an #ephemeral channel or topic). SUB again to recreate it.</summary>
    public static readonly DeliveryBatch Unknown = new([], 0, channelDeleted: true);

    /// <summary>The leased messages (at most the pull's MaxCount, at most 2,000), each now in flight: FIN, REQ or
    /// TOUCH them by id through <see cref="IChannelGrain.SettleAsync"/>.</summary>
    [Id(0)] public DeliveredMessage[] Messages { get; } = messages;

    /// <summary>In-flight deadline of every message in the batch, Unix ms (grain clock).</summary>
    [Id(1)] public long DeadlineUnixMs { get; } = deadlineUnixMs;

    /// <summary>The channel does not exist: stop pulling (see <see cref="DeletedByItsTopic"/> for why).</summary>
    [Id(2)] public bool ChannelDeleted { get; } = channelDeleted;

    /// <summary>With <see cref="ChannelDeleted"/>: true when its topic deleted it (the consumers end, as nsqd closes
    /// them), false when it is only unknown here (lost with a failed silo, or never created), which a SUB
    /// (<see cref="ITopicGrain.CreateChannelAsync"/>) recreates.</summary>
    [Id(3)] public bool DeletedByItsTopic { get; } = deletedByItsTopic;

    /// <summary>Number of messages.</summary>
    public int Count => Messages.Length;
}
