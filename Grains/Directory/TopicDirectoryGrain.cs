using OrleansNsq.Grains.Storage;

namespace OrleansNsq.Grains.Directory;

/// <summary>The grain shell around <see cref="TopicDirectory"/> (one per cluster, key 0). Called on topic and channel
/// creation and deletion and by the lookupd and stats APIs, never on the message path. Its topics and channels are
/// saved in grain storage whenever that list changes, and loaded on activation, so /stats lists them after a restart.
/// Kept alive: it also holds lookupd-registered names and tombstones, which are not saved.</summary>
[KeepAlive]
internal sealed class TopicDirectoryGrain(
    TimeProvider time,
    [PersistentState("directory", NsqStateStorage.Name)] IPersistentState<DirectoryState> state) : Grain, ITopicDirectoryFeedGrain
{
    private readonly TopicDirectory _directory = new();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _directory.Restore(state.State.Topics);
        return Task.CompletedTask;
    }

    public ValueTask TopicCreatedAsync(string topic, CancellationToken cancellationToken = default)
    {
        _directory.TopicCreated(topic);
        return SaveIfChangedAsync();
    }

    public ValueTask TopicDeletedAsync(string topic, CancellationToken cancellationToken = default)
    {
        _directory.TopicDeleted(topic);
        return SaveIfChangedAsync();
    }

    public ValueTask ChannelCreatedAsync(string topic, string channel, CancellationToken cancellationToken = default)
    {
        _directory.ChannelCreated(topic, channel);
        return SaveIfChangedAsync();
    }

    public ValueTask ChannelDeletedAsync(string topic, string channel, CancellationToken cancellationToken = default)
    {
        _directory.ChannelDeleted(topic, channel);
        return SaveIfChangedAsync();
    }

    public ValueTask RegisterAsync(string topic, string? channel, CancellationToken cancellationToken = default)
    {
        _directory.Register(topic, channel);
        return SaveIfChangedAsync();
    }

    public async ValueTask<bool> UnregisterAsync(string topic, string? channel, CancellationToken cancellationToken = default)
    {
        var removed = _directory.Unregister(topic, channel);
        await SaveIfChangedAsync();
        return removed;
    }

    public ValueTask TombstoneAsync(string topic, string node, TimeSpan lifetime, CancellationToken cancellationToken = default)
    {
        _directory.Tombstone(topic, node, lifetime, time.UnixMs());
        return ValueTask.CompletedTask;
    }

    public ValueTask<TopicDirectoryEntry[]> GetEntriesAsync(CancellationToken cancellationToken = default) =>
        new(_directory.GetEntries(time.UnixMs()));

    /// <summary>Writes the saved list when it differs from the stored one: a repeated create (SUB of a known channel,
    /// a restored topic registering again) costs no write.</summary>
    private ValueTask SaveIfChangedAsync()
    {
        var topics = _directory.ToPersisted();
        var stored = state.State.Topics;
        if (topics.Count == stored.Count && topics.Zip(stored).All(pair => pair.First.SameAs(pair.Second))) return ValueTask.CompletedTask;
        state.State.Topics = topics;
        return new ValueTask(state.WriteStateAsync());
    }
}
