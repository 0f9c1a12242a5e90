using OrleansNsq.Protocol;
using OrleansNsq.Lookupd;

namespace OrleansNsq.Grains.Lookupd;

/// <summary>
/// nsqlookupd's RegistrationDB (nsqlookupd/registration_db.go) and the rules its TCP protocol applies to it
/// (nsqlookupd/lookup_protocol_v1.go), as plain data with times passed in (Unix ns). Keys are kept grouped by topic:
/// the <c>topic:T:</c> key (<see cref="TopicKeys.Exists"/>) and the <c>channel:T:C</c> keys. Insertion order is kept
/// so the HTTP answers are stable (nsqlookupd's Go maps have no order at all).
/// </summary>
internal sealed class ExternalRegistrations
{
    private readonly OrderedDictionary<string, ExternalPeerState> _peers = new(StringComparer.Ordinal);
    private readonly OrderedDictionary<string, TopicKeys> _topics = new(StringComparer.Ordinal);

    public bool IsKnown(string peerId) => _peers.ContainsKey(peerId);

    /// <summary>IDENTIFY: the <c>client::</c> registration, last update now.</summary>
    public void Identify(ExternalPeer peer, long nowUnixNs) => _peers[peer.Id] = new ExternalPeerState(peer, nowUnixNs);

    /// <summary>PING refreshes last_update. False for an unknown peer.</summary>
    public bool Ping(string peerId, long nowUnixNs)
    {
        if (!_peers.TryGetValue(peerId, out var state)) return false;
        _peers[peerId] = state with { LastUpdateUnixNs = nowUnixNs };
        return true;
    }

    /// <summary>REGISTER topic [channel]: channel key first, then the topic key. A producer already under the topic
    /// keeps its tombstone (AddProducer does not replace a found producer).</summary>
    public void Register(string peerId, string topic, string? channel)
    {
        var keys = TopicOf(topic);
        if (channel is not null)
        {
            if (!keys.Channels.TryGetValue(channel, out var peers)) keys.Channels.Add(channel, peers = []);
            if (!peers.Contains(peerId)) peers.Add(peerId);
        }
        keys.Exists = true;
        keys.Producers.TryAdd(peerId, 0);
    }

    /// <summary>
    /// UNREGISTER. With a channel: the peer leaves the channel key, which is removed when it is <c>#ephemeral</c> and
    /// has no producer left. Without: the peer leaves every channel key of the topic (they stay) and the topic key,
    /// which is removed when it is <c>#ephemeral</c> and has no producer left.
    /// </summary>
    public void Unregister(string peerId, string topic, string? channel)
    {
        if (!_topics.TryGetValue(topic, out var keys)) return;
        if (channel is not null)
        {
            if (keys.Channels.TryGetValue(channel, out var peers))
            {
                peers.Remove(peerId);
                if (peers.Count == 0 && NsqNames.IsEphemeral(channel)) keys.Channels.Remove(channel);
            }
        }
        else
        {
            foreach (var (_, peers) in keys.Channels) peers.Remove(peerId);
            if (keys.Exists)
            {
                keys.Producers.Remove(peerId);
                if (keys.Producers.Count == 0 && NsqNames.IsEphemeral(topic)) keys.Exists = false;
            }
        }
        DropIfEmpty(topic, keys);
    }

    /// <summary>The connection closed: the peer leaves every key it is under; the keys stay.</summary>
    public void Disconnect(string peerId)
    {
        _peers.Remove(peerId);
        foreach (var (_, keys) in _topics)
        {
            keys.Producers.Remove(peerId);
            foreach (var (_, peers) in keys.Channels) peers.Remove(peerId);
        }
    }

    /// <summary>/topic/tombstone: every producer of the topic whose <c>broadcast_address:http_port</c> is node.</summary>
    public void Tombstone(string topic, string node, long nowUnixNs)
    {
        if (!_topics.TryGetValue(topic, out var keys)) return;
        foreach (var peerId in keys.Producers.Keys.ToArray())
        {
            if (_peers.TryGetValue(peerId, out var state) && state.Peer.Node == node) keys.Producers[peerId] = nowUnixNs;
        }
    }

    /// <summary>/topic/delete: the topic key and its channel keys, producers and all.</summary>
    public void DeleteTopic(string topic) => _topics.Remove(topic);

    /// <summary>/channel/delete. False when there was no such channel key.</summary>
    public bool DeleteChannel(string topic, string channel)
    {
        if (!_topics.TryGetValue(topic, out var keys) || !keys.Channels.Remove(channel)) return false;
        DropIfEmpty(topic, keys);
        return true;
    }

    public ExternalProducerSnapshot Snapshot()
    {
        var peers = new ExternalPeerState[_peers.Count];
        _peers.Values.CopyTo(peers, 0);
        var topics = new ExternalTopic[_topics.Count];
        var i = 0;
        foreach (var (topic, keys) in _topics)
        {
            var producers = new ExternalProducer[keys.Producers.Count];
            var p = 0;
            foreach (var (peerId, tombstonedAt) in keys.Producers) producers[p++] = new ExternalProducer(peerId, tombstonedAt);
            var channels = new ExternalChannel[keys.Channels.Count];
            var c = 0;
            foreach (var (channel, ids) in keys.Channels) channels[c++] = new ExternalChannel(channel, [.. ids]);
            topics[i++] = new ExternalTopic { Topic = topic, Exists = keys.Exists, Producers = producers, Channels = channels };
        }
        return new ExternalProducerSnapshot { Peers = peers, Topics = topics };
    }

    private TopicKeys TopicOf(string topic)
    {
        if (!_topics.TryGetValue(topic, out var keys)) _topics.Add(topic, keys = new TopicKeys());
        return keys;
    }

    private void DropIfEmpty(string topic, TopicKeys keys)
    {
        if (!keys.Exists && keys.Channels.Count == 0) _topics.Remove(topic);
    }

    private sealed class TopicKeys
    {
        /// <summary>The <c>topic:T:</c> key is present (with or without producers).</summary>
        public bool Exists;
        /// <summary>Peer id → tombstoned at (Unix ns, 0 = not tombstoned).</summary>
        public readonly OrderedDictionary<string, long> Producers = new(StringComparer.Ordinal);
        public readonly OrderedDictionary<string, List<string>> Channels = new(StringComparer.Ordinal);
    }
}
