namespace OrleansNsq.Grains.Directory;

/// <summary>The grain shell around <see cref="TopicDirectory"/> (one per cluster, key 0). Called on topic and channel
/// creation and deletion and by the lookupd and stats APIs, never on the message path. Kept alive: until a durable
/// store arrives it is the only record of lookupd-registered names.</summary>
[KeepAlive]
internal sealed class TopicDirectoryGrain(TimeProvider time) : Grain, ITopicDirectoryGrain
{
    private readonly TopicDirectory _directory = new();

    public ValueTask TopicCreatedAsync(string topic, CancellationToken cancellationToken = default)
    {
        _directory.TopicCreated(topic);
        return ValueTask.CompletedTask;
    }

    public ValueTask TopicDeletedAsync(string topic, CancellationToken cancellationToken = default)
    {
        _directory.TopicDeleted(topic);
        return ValueTask.CompletedTask;
    }

    public ValueTask ChannelCreatedAsync(string topic, string channel, CancellationToken cancellationToken = default)
    {
        _directory.ChannelCreated(topic, channel);
        return ValueTask.CompletedTask;
    }

    public ValueTask ChannelDeletedAsync(string topic, string channel, CancellationToken cancellationToken = default)
    {
        _directory.ChannelDeleted(topic, channel);
        return ValueTask.CompletedTask;
    }

    public ValueTask RegisterAsync(string topic, string? channel, CancellationToken cancellationToken = default)
    {
        _directory.Register(topic, channel);
        return ValueTask.CompletedTask;
    }

    public ValueTask<bool> UnregisterAsync(string topic, string? channel, CancellationToken cancellationToken = default) =>
        new(_directory.Unregister(topic, channel));

    public ValueTask TombstoneAsync(string topic, TimeSpan lifetime, CancellationToken cancellationToken = default)
    {
        _directory.Tombstone(topic, lifetime, time.UnixMs());
        return ValueTask.CompletedTask;
    }

    public ValueTask<TopicDirectoryEntry[]> GetEntriesAsync(CancellationToken cancellationToken = default) =>
        new(_directory.GetEntries(time.UnixMs()));
}
