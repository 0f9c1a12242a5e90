using OrleansNsq.Protocol;

namespace OrleansNsq.Grains.Directory;

/// <summary>
/// The lookupd view of this node's topics and channels, as plain data (times in Unix ms passed in).
/// Two writers meet here: topic grains (the nsqd role: REGISTER/UNREGISTER, so the topic has a producer) and
/// lookupd's own HTTP API (/topic/create, /channel/create: names without a producer; /topic/delete, /channel/delete;
/// /topic/tombstone, per producer node).
/// </summary>
internal sealed class TopicDirectory
{
    private readonly SortedDictionary<string, Topic> _topics = new(StringComparer.Ordinal);

    /// <summary>nsqd REGISTER topic: the topic exists on this node.</summary>
    public void TopicCreated(string topic) => GetOrAdd(topic).HasProducer = true;

    /// <summary>nsqd UNREGISTER topic (the topic was deleted): the topic and its channels are gone.</summary>
    public void TopicDeleted(string topic) => _topics.Remove(topic);

    /// <summary>nsqd REGISTER channel: registers the topic's producer as well.</summary>
    public void ChannelCreated(string topic, string channel)
    {
        var entry = GetOrAdd(topic);
        entry.HasProducer = true;
        entry.Channels.Add(channel);
    }

    /// <summary>nsqd UNREGISTER channel.</summary>
    public void ChannelDeleted(string topic, string channel)
    {
        if (_topics.TryGetValue(topic, out var entry)) entry.Channels.Remove(channel);
    }

    /// <summary>lookupd /topic/create and /channel/create: names only, the producer flag is left as it is.</summary>
    public void Register(string topic, string? channel)
    {
        var entry = GetOrAdd(topic);
        if (channel is not null) entry.Channels.Add(channel);
    }

    /// <summary>lookupd /topic/delete (channel null: the topic with its channels) and /channel/delete.
    /// False when the topic, or the channel, was unknown.</summary>
    public bool Unregister(string topic, string? channel)
    {
        if (channel is null) return _topics.Remove(topic);
        return _topics.TryGetValue(topic, out var entry) && entry.Channels.Remove(channel);
    }

    /// <summary>lookupd /topic/tombstone: hides the producer <paramref name="node"/> of a known topic until now +
    /// lifetime. False when the topic is unknown.</summary>
    public bool Tombstone(string topic, string node, TimeSpan lifetime, long nowUnixMs)
    {
        if (!_topics.TryGetValue(topic, out var entry)) return false;
        foreach (var (expired, until) in entry.Tombstones)
            if (until <= nowUnixMs) entry.Tombstones.Remove(expired); // allowed while enumerating a Dictionary
        entry.Tombstones[node] = nowUnixMs + (long)lifetime.TotalMilliseconds;
        return true;
    }

    /// <summary>Every topic, sorted by name, with sorted channels; expired tombstones read as 0.</summary>
    public TopicDirectoryEntry[] GetEntries(long nowUnixMs)
    {
        var entries = new TopicDirectoryEntry[_topics.Count];
        var i = 0;
        foreach (var (name, topic) in _topics)
        {
            entries[i++] = new TopicDirectoryEntry
            {
                Topic = name,
                Channels = [.. topic.Channels],
                HasProducer = topic.HasProducer,
                Tombstones = Unexpired(topic.Tombstones, nowUnixMs),
            };
        }
        return entries;
    }

    /// <summary>What survives a restart: the topics this node has (a producer) with their channels, without
    /// #ephemeral names (nsqd never saves those). Tombstones and names only lookupd's API registered are not kept:
    /// nsqlookupd keeps nothing across a restart either.</summary>
    public List<DirectoryTopicState> ToPersisted()
    {
        var topics = new List<DirectoryTopicState>();
        foreach (var (name, topic) in _topics)
        {
            if (!topic.HasProducer || NsqNames.IsEphemeral(name)) continue;
            var channels = new List<string>(topic.Channels.Count);
            foreach (var channel in topic.Channels)
                if (!NsqNames.IsEphemeral(channel)) channels.Add(channel);
            topics.Add(new DirectoryTopicState { Name = name, Channels = channels });
        }
        return topics;
    }

    /// <summary>Loads what <see cref="ToPersisted"/> saved: each topic with a producer, with its channels.</summary>
    public void Restore(IEnumerable<DirectoryTopicState> topics)
    {
        foreach (var saved in topics)
        {
            var entry = GetOrAdd(saved.Name);
            entry.HasProducer = true;
            foreach (var channel in saved.Channels) entry.Channels.Add(channel);
        }
    }

    private static Dictionary<string, long> Unexpired(Dictionary<string, long> tombstones, long nowUnixMs)
    {
        var live = new Dictionary<string, long>(tombstones.Count, StringComparer.Ordinal);
        foreach (var (node, until) in tombstones)
            if (until > nowUnixMs) live.Add(node, until);
        return live;
    }

    private Topic GetOrAdd(string topic)
    {
        if (!_topics.TryGetValue(topic, out var entry)) _topics.Add(topic, entry = new Topic());
        return entry;
    }

    private sealed class Topic
    {
        public SortedSet<string> Channels { get; } = new(StringComparer.Ordinal);
        public bool HasProducer { get; set; }
        /// <summary>Producer node → Unix ms until which it is tombstoned.</summary>
        public Dictionary<string, long> Tombstones { get; } = new(StringComparer.Ordinal);
    }
}
