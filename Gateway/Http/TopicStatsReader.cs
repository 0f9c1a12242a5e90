using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansNsq.Gateway.Options;
using OrleansNsq.Stats;

namespace OrleansNsq.Gateway.Http;

/// <summary>
/// The topics and channels as nsqd's GetStats returns them, read from the grains: every topic of the directory (or
/// one), one GetStats per topic in parallel, sorted by name. /stats and the statsd pusher read through it.
/// <para>Every read is bounded by --publish-timeout (<see cref="ClusterCalls"/>). A topic whose grain does not
/// answer in time (its silo cut off, its host frozen) is shown from this gateway's copy of its last full answer, or
/// left out when there is none; the directory likewise. The reading is then stale
/// (<see cref="ClusterCalls.StaleSince"/>), and /stats says so in its header.</para>
/// </summary>
internal sealed class TopicStatsReader
{
    private readonly IGrainFactory _grains;
    private readonly IOptions<NsqdOptions> _options;
    private readonly TimeProvider _time;
    private readonly CachedClusterRead<TopicDirectoryEntry[]> _directory;
    /// <summary>Each topic's last answer to GetStats without a channel filter (a filtered one lacks channels).
    /// Topics the directory no longer lists are dropped.</summary>
    private readonly ConcurrentDictionary<string, StatsCopy> _copies = new(StringComparer.Ordinal);
    private readonly UnansweredEpisode _episode;
    /// <summary>What a topic never read counts its age from.</summary>
    private readonly DateTimeOffset _since;

    public TopicStatsReader(IGrainFactory grains, IOptions<NsqdOptions> options, ILogger<TopicStatsReader> logger, TimeProvider? time = null)
    {
        _grains = grains;
        _options = options;
        _time = time ?? TimeProvider.System;
        _directory = new CachedClusterRead<TopicDirectoryEntry[]>("the topic directory (for the topics' stats)", [], _time, logger);
        _episode = new UnansweredEpisode("the topics' stats", logger, HttpLog.ReadUnanswered);
        _since = _time.GetUtcNow();
    }

    /// <summary>A deadline of --publish-timeout from now, for the calls of one reading.</summary>
    public ClusterCalls NewCalls() => new(_options.Value.PublishTimeout, _time);

    /// <summary>One reading with its own deadline; for readers that show the counters without saying how old they
    /// are (the statsd pusher, the metrics sampler).</summary>
    public async ValueTask<TopicStats[]?> ReadAsync(string topicFilter = "", string channelFilter = "")
    {
        using var calls = NewCalls();
        return await ReadAsync(calls, topicFilter, channelFilter);
    }

    /// <summary>
    /// nsqd GetStats: unknown <c>topic=</c> → null (<c>"topics":null</c>); topics lacking <c>channel=</c> are left
    /// out (so a known topic with an unknown channel gives <c>[]</c>). A non-empty <paramref name="topicFilter"/>
    /// must be a valid topic name (the caller checks). A <c>topic=</c> that did not answer and has no copy is
    /// <c>[]</c>: whether it exists is not known.
    /// </summary>
    public async ValueTask<TopicStats[]?> ReadAsync(ClusterCalls calls, string topicFilter, string channelFilter)
    {
        var channel = channelFilter.Length == 0 ? null : channelFilter;
        (TopicStats? Stats, Exception? Failure)[] found;
        if (topicFilter.Length > 0)
        {
            var single = await ReadTopicAsync(calls, topicFilter, channel);
            if (single.Stats is null && single.Failure is null) return null;
            found = [single];
        }
        else
        {
            var entries = await _directory.ReadAsync(calls, ct => _grains.TopicDirectory().GetEntriesAsync(ct));
            if (calls.StaleSince is null) ForgetTopicsNotIn(entries);
            var pending = new List<Task<(TopicStats?, Exception?)>>(entries.Length);
            foreach (var entry in entries)
            {
                if (entry.HasProducer) pending.Add(ReadTopicAsync(calls, entry.Topic, channel));
            }
            found = await Task.WhenAll(pending);
        }

        var topics = new List<TopicStats>(found.Length);
        Exception? failure = null;
        foreach (var (topic, topicFailure) in found)
        {
            failure ??= topicFailure;
            if (topic is null) continue;
            var channels = channel is null
                ? (ChannelStats[])topic.Channels.Clone()
                : Array.FindAll(topic.Channels, c => c.ChannelName == channel);
            if (channel is not null && channels.Length == 0) continue;
            Array.Sort(channels, static (a, b) => string.CompareOrdinal(a.ChannelName, b.ChannelName));
            topics.Add(topic with { Channels = channels });
        }
        if (failure is not null) _episode.Unanswered(failure, calls.Bound);
        else if (found.Length > 0) _episode.Answered();
        topics.Sort(static (a, b) => string.CompareOrdinal(a.TopicName, b.TopicName));
        return [.. topics];
    }

    /// <summary>One topic's GetStats, or its copy (unfiltered: the caller filters the channels) when it does not
    /// answer, with the failure.</summary>
    private async Task<(TopicStats? Stats, Exception? Failure)> ReadTopicAsync(ClusterCalls calls, string topic, string? channel)
    {
        try
        {
            var stats = await calls.CallAsync(ct => _grains.Topic(topic).GetStatsAsync(channel, ct));
            if (stats is null) _copies.TryRemove(topic, out _);
            else if (channel is null) _copies[topic] = new StatsCopy(stats, _time.GetUtcNow());
            return (stats, null);
        }
        catch (Exception exception)
        {
            // as CachedClusterRead: any failure to answer is answered from the copy
            if (_copies.TryGetValue(topic, out var copy))
            {
                calls.FellBackTo(copy.ReadAt);
                return (copy.Stats, exception);
            }
            calls.FellBackTo(_since);
            return (null, exception);
        }
    }

    private void ForgetTopicsNotIn(TopicDirectoryEntry[] entries)
    {
        if (_copies.IsEmpty) return;
        var listed = new HashSet<string>(entries.Length, StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            if (entry.HasProducer) listed.Add(entry.Topic);
        }
        foreach (var topic in _copies.Keys)
        {
            if (!listed.Contains(topic)) _copies.TryRemove(topic, out _);
        }
    }

    private sealed record StatsCopy(TopicStats Stats, DateTimeOffset ReadAt);
}
