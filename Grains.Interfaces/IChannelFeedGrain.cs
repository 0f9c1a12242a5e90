using OrleansNsq.Messages;

namespace OrleansNsq;

/// <summary>
/// A channel as its topic sees it: the calls that create it, hand it the topic's messages and delete it. Internal, so
/// only the grains (and their tests) can make them: a service that handed a channel messages or deleted it behind its
/// topic's back would break what the topic knows (ids, its list of channels, what the message log may drop). The
/// same grain as <see cref="IChannelGrain"/> (one implementation, one activation per key).
/// </summary>
[Alias("OrleansNsq.IChannelFeedGrain")]
internal interface IChannelFeedGrain : IChannelGrain
{
    /// <summary>Topic → channel: new messages. Ids grow across calls. The topic's first call (possibly with no segments)
    /// creates the channel; until then, and after <see cref="DeleteAsync"/>, pulls answer
    /// <see cref="DeliveryBatch.Deleted"/>.</summary>
    [Alias("Enqueue")]
    ValueTask EnqueueAsync(Immutable<MessageSegment[]> segments, CancellationToken cancellationToken = default);

    /// <summary>Topic → channel: creates the channel (a no-op when it exists) as the owner of every message with an
    /// id above <paramref name="startAfterId"/>, starting with <paramref name="held"/> (what the topic held for its
    /// first channel). A durable channel has its cursor on disk when this completes.</summary>
    [Alias("Create")]
    ValueTask CreateAsync(long startAfterId, Immutable<MessageSegment[]> held, CancellationToken cancellationToken = default);

    /// <summary>Topic → channel: drops everything and tells subscribers (their pulls answer
    /// <see cref="DeliveryBatch.ChannelDeleted"/>).</summary>
    [Alias("Delete")]
    ValueTask DeleteAsync(CancellationToken cancellationToken = default);
}
