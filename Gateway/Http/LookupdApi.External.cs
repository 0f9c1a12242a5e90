using System.Text.Json;
using OrleansNsq.Lookupd;
using OrleansNsq.Stats;

namespace OrleansNsq.Gateway.Http;

/// <summary>
/// The external nsqd nodes (registered over the lookupd TCP port) merged into the answers, after this node's part.
/// The filters are nsqlookupd's: /lookup leaves out producers inactive for longer than --inactive-producer-timeout
/// (no IDENTIFY or PING) and producers tombstoned within --tombstone-lifetime; /nodes only the inactive ones; /debug
/// and /topics /channels nothing.
/// </summary>
internal sealed partial class LookupdApi
{
    /// <summary>This node's topic names, then the external topic keys it does not have.</summary>
    private static string[] MergeTopics(TopicDirectoryEntry[] local, ExternalProducerSnapshot external)
    {
        var topics = new List<string>(local.Length + external.Topics.Length);
        foreach (var entry in local) topics.Add(entry.Topic);
        foreach (var topic in external.Topics)
        {
            if (topic.Exists && Array.FindIndex(local, e => e.Topic == topic.Topic) < 0) topics.Add(topic.Topic);
        }
        return [.. topics];
    }

    /// <summary>This node's channels of the topic, then the external channel keys it does not have (with or without
    /// producers: nsqlookupd lists keys).</summary>
    private static string[] MergeChannels(string[] local, ExternalTopic? external)
    {
        if (external is null || external.Channels.Length == 0) return local;
        var channels = new List<string>(local);
        foreach (var channel in external.Channels)
        {
            if (!channels.Contains(channel.Channel)) channels.Add(channel.Channel);
        }
        return [.. channels];
    }

    /// <summary>/lookup's external producers of a topic: active and not tombstoned.</summary>
    private List<ExternalPeer> LookupProducers(ExternalProducerSnapshot external, ExternalTopic? topic)
    {
        var producers = new List<ExternalPeer>();
        if (topic is not { Exists: true }) return producers;
        var nowNs = NowUnixNs();
        foreach (var producer in topic.Producers)
        {
            if (external.Peer(producer.PeerId) is { } state && IsActive(state, nowNs)
                && !IsExternalTombstoned(producer.TombstonedAtUnixNs, nowNs))
            {
                producers.Add(state.Peer);
            }
        }
        return producers;
    }

    /// <summary>/nodes' external part: each active peer with the topics it registered and their tombstones.</summary>
    private List<ExternalNode> ExternalNodes(ExternalProducerSnapshot external)
    {
        var nowNs = NowUnixNs();
        var nodes = new List<ExternalNode>();
        foreach (var state in external.Peers)
        {
            if (!IsActive(state, nowNs)) continue;
            var topics = new List<string>();
            var tombstones = new List<bool>();
            foreach (var topic in external.Topics)
            {
                if (!topic.Exists) continue;
                var producer = Array.Find(topic.Producers, p => p.PeerId == state.Peer.Id);
                if (producer is null) continue;
                topics.Add(topic.Topic);
                tombstones.Add(IsExternalTombstoned(producer.TombstonedAtUnixNs, nowNs));
            }
            nodes.Add(new ExternalNode(state.Peer, [.. topics], [.. tombstones]));
        }
        return nodes;
    }

    /// <summary>Adds the external producers to /debug's keys: <c>client::</c> per peer, <c>topic:T:</c> with each
    /// producer's tombstone, <c>channel:T:C</c>.</summary>
    private static void AddExternalDebugKeys(SortedDictionary<string, DebugKey> keys, ExternalProducerSnapshot external)
    {
        foreach (var state in external.Peers) DebugKeyOf(keys, "client::").External.Add((state, 0));
        foreach (var topic in external.Topics)
        {
            foreach (var producer in topic.Producers)
            {
                if (external.Peer(producer.PeerId) is { } state) DebugKeyOf(keys, $"topic:{topic.Topic}:").External.Add((state, producer.TombstonedAtUnixNs));
            }
            foreach (var channel in topic.Channels)
            {
                foreach (var peerId in channel.PeerIds)
                {
                    if (external.Peer(peerId) is { } state) DebugKeyOf(keys, $"channel:{topic.Topic}:{channel.Channel}").External.Add((state, 0));
                }
            }
        }
    }

    private static DebugKey DebugKeyOf(SortedDictionary<string, DebugKey> keys, string key)
    {
        if (!keys.TryGetValue(key, out var debugKey)) keys[key] = debugKey = new DebugKey(null, IsClient: false);
        return debugKey;
    }

    /// <summary>One external producer as nsqlookupd's /debug shows it: <c>id</c> is the address it connected from,
    /// <c>tombstoned</c> the raw flag (still true after the lifetime ran out).</summary>
    private static void WriteExternalDebugProducer(Utf8JsonWriter json, ExternalPeerState state, long tombstonedAtNs)
    {
        var peer = state.Peer;
        json.WriteStartObject();
        json.WriteString("id", peer.RemoteAddress);
        json.WriteString("hostname", peer.Hostname);
        json.WriteString("broadcast_address", peer.BroadcastAddress);
        json.WriteNumber("tcp_port", peer.TcpPort);
        json.WriteNumber("http_port", peer.HttpPort);
        json.WriteString("version", peer.Version);
        json.WriteNumber("last_update", state.LastUpdateUnixNs);
        json.WriteBoolean("tombstoned", tombstonedAtNs != 0);
        json.WriteNumber("tombstoned_at", tombstonedAtNs != 0 ? tombstonedAtNs : GoZeroTimeUnixNano);
        json.WriteEndObject();
    }

    /// <summary>PEER (and the first keys of NODE) of an external nsqd, with the address it connected from.</summary>
    private static void WriteExternalPeer(Utf8JsonWriter json, ExternalPeer peer, bool closeObject)
    {
        json.WriteStartObject();
        json.WriteString("remote_address", peer.RemoteAddress);
        json.WriteString("hostname", peer.Hostname);
        json.WriteString("broadcast_address", peer.BroadcastAddress);
        json.WriteNumber("tcp_port", peer.TcpPort);
        json.WriteNumber("http_port", peer.HttpPort);
        json.WriteString("version", peer.Version);
        if (closeObject) json.WriteEndObject();
    }

    private static void WriteExternalNode(Utf8JsonWriter json, ExternalNode node)
    {
        WriteExternalPeer(json, node.Peer, closeObject: false);
        json.WriteStartArray("tombstones");
        foreach (var tombstoned in node.Tombstones) json.WriteBooleanValue(tombstoned);
        json.WriteEndArray();
        WriteStrings(json, "topics", node.Topics);
        json.WriteEndObject();
    }

    /// <summary>nsqlookupd's FilterByActive: inactive when the last IDENTIFY or PING is older than the timeout.</summary>
    private bool IsActive(ExternalPeerState state, long nowNs) =>
        nowNs - state.LastUpdateUnixNs <= _lookupd.Value.InactiveProducerTimeout.Ticks * 100;

    private bool IsExternalTombstoned(long tombstonedAtNs, long nowNs) =>
        tombstonedAtNs != 0 && nowNs - tombstonedAtNs < _options.Value.TombstoneLifetime.Ticks * 100;

    private long NowUnixNs() => (_time.GetUtcNow().UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;

    private sealed record ExternalNode(ExternalPeer Peer, string[] Topics, bool[] Tombstones);

    /// <summary>One /debug key: this node's producer entry (or the client key), then the external producers with
    /// their tombstone time (Unix ns, 0 = none).</summary>
    private sealed record DebugKey(TopicDirectoryEntry? Local, bool IsClient)
    {
        public List<(ExternalPeerState Peer, long TombstonedAtNs)> External { get; } = [];
    }
}
