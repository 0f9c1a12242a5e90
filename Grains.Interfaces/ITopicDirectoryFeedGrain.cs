namespace OrleansNsq;

/// <summary>
/// What topic grains report to the topic directory: their own creation and deletion, and their channels'. Internal,
/// so only the grains can make these calls: a service that reported a topic or channel that does not exist would make
/// /stats, /topics and lookupd's answers name it. The same grain as <see cref="ITopicDirectoryGrain"/> (key 0).
/// </summary>
[Alias("OrleansNsq.ITopicDirectoryFeedGrain")]
internal interface ITopicDirectoryFeedGrain : ITopicDirectoryGrain
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
}
