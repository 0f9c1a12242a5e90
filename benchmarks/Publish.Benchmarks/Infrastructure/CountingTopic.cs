using Orleans.Concurrency;
using OrleansNsq.Messages;
using OrleansNsq.Stats;

namespace OrleansNsq.Publish.Benchmarks.Infrastructure;

/// <summary>A topic grain reference that counts the publish calls made through it, to report how many bodies a
/// <see cref="Gateway.Publishing.TopicPublishQueue"/> puts in one call.</summary>
internal sealed class CountingTopic(ITopicGrain topic) : ITopicGrain
{
    private long _calls;
    private long _messages;

    public long Calls => Interlocked.Read(ref _calls);

    public long Messages => Interlocked.Read(ref _messages);

    public ValueTask PublishAsync(Immutable<PublishBatch> batch, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _calls);
        Interlocked.Add(ref _messages, batch.Value.Count);
        return topic.PublishAsync(batch, cancellationToken);
    }

    public ValueTask CreateAsync(CancellationToken cancellationToken = default) => topic.CreateAsync(cancellationToken);
    public ValueTask<bool> ExistsAsync(CancellationToken cancellationToken = default) => topic.ExistsAsync(cancellationToken);
    public ValueTask CreateChannelAsync(string channel, CancellationToken cancellationToken = default) => topic.CreateChannelAsync(channel, cancellationToken);
    public ValueTask<bool> DeleteChannelAsync(string channel, CancellationToken cancellationToken = default) => topic.DeleteChannelAsync(channel, cancellationToken);
    public ValueTask<string[]> GetChannelsAsync(CancellationToken cancellationToken = default) => topic.GetChannelsAsync(cancellationToken);
    public ValueTask<bool> DeleteAsync(CancellationToken cancellationToken = default) => topic.DeleteAsync(cancellationToken);
    public ValueTask<bool> SetPausedAsync(bool paused, CancellationToken cancellationToken = default) => topic.SetPausedAsync(paused, cancellationToken);
    public ValueTask<bool> EmptyAsync(CancellationToken cancellationToken = default) => topic.EmptyAsync(cancellationToken);
    public ValueTask<TopicStats?> GetStatsAsync(string? channel = null, CancellationToken cancellationToken = default) => topic.GetStatsAsync(channel, cancellationToken);
}
