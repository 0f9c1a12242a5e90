using OrleansNsq.Stats;

namespace OrleansNsq;

/// <summary>
/// The list of topics and channels (one grain, key 0): what /stats enumerates and what the lookupd API answers from.
/// Topic grains register themselves when created or deleted, never on the hot path. A .NET service reads it with
/// <see cref="GetEntriesAsync"/>; the register calls are the topics' and lookupd's, not a client's.
/// </summary>
[Alias("OrleansNsq.ITopicDirectoryGrain")]
public interface ITopicDirectoryGrain : IGrainWithIntegerKey
{
    /// <summary>A topic now exists on this node (it has a producer).</summary>
    [Alias("TopicCreated")]
    ValueTask TopicCreatedAsync(string topic, CancellationToken cancellationToken = default);

    /// <summary>A topic was deleted (it leaves /topics and /lookup).</summary>
    [Alias("TopicDeleted")]
    ValueTask TopicDeletedAsync(string topic, CancellationToken cancellationToken = default);

    /// <summary>A channel of the topic now exists (/channels lists it).</summary>
    [Alias("ChannelCreated")]
    ValueTask ChannelCreatedAsync(string topic, string channel, CancellationToken cancellationToken = default);

    /// <summary>A channel of the topic was deleted.</summary>
    [Alias("ChannelDeleted")]
    ValueTask ChannelDeletedAsync(string topic, string channel, CancellationToken cancellationToken = default);

    /// <summary>lookupd /topic/create and /channel/create: registers names without a producer.</summary>
    [Alias("Register")]
    ValueTask RegisterAsync(string topic, string? channel, CancellationToken cancellationToken = default);

    /// <summary>lookupd /topic/delete (channel null) and /channel/delete. False when the name was unknown.</summary>
    [Alias("Unregister")]
    ValueTask<bool> UnregisterAsync(string topic, string? channel, CancellationToken cancellationToken = default);

    /// <summary>lookupd /topic/tombstone: hides the producer <paramref name="node"/> (broadcast_address:http_port) of the
    /// topic from /lookup for the lifetime.</summary>
    [Alias("Tombstone")]
    ValueTask TombstoneAsync(string topic, string node, TimeSpan lifetime, CancellationToken cancellationToken = default);

    /// <summary>Every known topic with its channels, sorted by topic name.</summary>
    [Alias("GetEntries")]
    ValueTask<TopicDirectoryEntry[]> GetEntriesAsync(CancellationToken cancellationToken = default);
}
