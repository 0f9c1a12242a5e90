using OrleansNsq.Stats;

namespace OrleansNsq.Gateway.Http;

/// <summary>
/// The topics and channels as nsqd's GetStats returns them, read from the grains: every topic of the directory (or
/// one), one GetStats per topic in parallel, sorted by name. /stats and the statsd pusher read through it.
/// </summary>
internal sealed class TopicStatsReader(IGrainFactory grains)
{
    /// <summary>
    /// nsqd GetStats: unknown <c>topic=</c> → null (<c>"topics":null</c>); topics lacking <c>channel=</c> are left
    /// out (so a known topic with an unknown channel gives <c>[]</c>). A non-empty <paramref name="topicFilter"/>
    /// must be a valid topic name (the caller checks).
    /// </summary>
    public async ValueTask<TopicStats[]?> ReadAsync(string topicFilter = "", string channelFilter = "")
    {
        var channel = channelFilter.Length == 0 ? null : channelFilter;
        TopicStats?[] found;
        if (topicFilter.Length > 0)
        {
            var single = await grains.Topic(topicFilter).GetStatsAsync(channel);
            if (single is null) return null;
            found = [single];
        }
        else
        {
            var entries = await grains.TopicDirectory().GetEntriesAsync();
            var pending = new List<Task<TopicStats?>>(entries.Length);
            foreach (var entry in entries)
            {
                if (entry.HasProducer) pending.Add(grains.Topic(entry.Topic).GetStatsAsync(channel).AsTask());
            }
            found = await Task.WhenAll(pending);
        }

        var topics = new List<TopicStats>(found.Length);
        foreach (var topic in found)
        {
            if (topic is null) continue;
            var channels = channel is null
                ? (ChannelStats[])topic.Channels.Clone()
                : Array.FindAll(topic.Channels, c => c.ChannelName == channel);
            if (channel is not null && channels.Length == 0) continue;
            Array.Sort(channels, static (a, b) => string.CompareOrdinal(a.ChannelName, b.ChannelName));
            topics.Add(topic with { Channels = channels });
        }
        topics.Sort(static (a, b) => string.CompareOrdinal(a.TopicName, b.TopicName));
        return [.. topics];
    }
}
