using OrleansNsq.Stats;

namespace OrleansNsq;

/// <summary>
/// The list of topics and channels (one grain, key 0): what /stats enumerates and what the lookupd API answers from.
/// Topic grains report their creation and deletion on <see cref="ITopicDirectoryFeedGrain"/>, an internal interface,
/// never on the hot path. A .NET service reads it with <see cref="GetEntriesAsync"/>; <see cref="RegisterAsync"/>,
/// <see cref="UnregisterAsync"/> and <see cref="TombstoneAsync"/> are lookupd's HTTP verbs (/topic/create,
/// /channel/delete, /topic/tombstone…), as open to a service as they are over HTTP.
/// </summary>
[Alias("OrleansNsq.ITopicDirectoryGrain")]
public interface ITopicDirectoryGrain : IGrainWithIntegerKey
{
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
