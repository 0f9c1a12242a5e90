using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansNsq.Gateway.Options;
using OrleansNsq.Protocol;
using OrleansNsq.Gateway.Producers;
using OrleansNsq.Lookupd;
using OrleansNsq.Stats;

namespace OrleansNsq.Gateway.Http;

/// <summary>
/// nsqlookupd's HTTP API (nsqlookupd 1.3.0: nsqlookupd/http.go), answered from the topic directory grain. Any gateway
/// serves any topic, so every producer of <see cref="IProducerDirectory"/> (this node alone, or every live silo of a
/// cluster) produces every topic that has one; a tombstone hides one producer of one topic. A PEER's
/// <c>remote_address</c> is <c>broadcast_address:tcp_port</c> (nsqlookupd shows the address nsqd connected from, which
/// does not exist here; clients ignore it). After our producers come the external nsqd nodes registered over the
/// lookupd TCP port (<see cref="IExternalProducerDirectoryGrain"/>; the merge is in LookupdApi.External.cs).
/// Every answer is bounded by --publish-timeout: reads fall back to this gateway's last copy and say so, writes answer
/// 503 (LookupdApi.Cluster.cs).
/// </summary>
internal sealed partial class LookupdApi
{
    private readonly IGrainFactory _grains;
    private readonly IOptions<NsqdOptions> _options;
    private readonly IOptions<LookupdOptions> _lookupd;
    private readonly IProducerDirectory _producers;
    private readonly TimeProvider _time;

    public LookupdApi(IServiceProvider services)
    {
        _grains = services.GetRequiredService<IGrainFactory>();
        _options = services.GetRequiredService<IOptions<NsqdOptions>>();
        _lookupd = services.GetRequiredService<IOptions<LookupdOptions>>();
        _producers = services.GetRequiredService<IProducerDirectory>();
        _time = services.GetService<TimeProvider>() ?? TimeProvider.System;
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("OrleansNsq.Gateway.Http.Lookupd");
        _directory = new("the topic directory", [], _time, logger);
        _external = new("the external producers", ExternalProducerSnapshot.Empty, _time, logger);
        _producerList = new("the producers", [], _time, logger);
        _members = new("the membership (/silos)", [], _time, logger);
        _hosted = new("the grains on each silo (/silos)", [], _time, logger);
        _writes = new("lookupd's writes", logger, HttpLog.WriteUnanswered);

        Routes = new RouteTable(logger)
            .Get("/ping", static _ => new(ApiResult.Ok), Envelope.PlainText)
            .Get("/info", Info)
            .Get("/debug", Read(Debug))
            .Get("/lookup", Read(Lookup))
            .Get("/topics", Read(Topics))
            .Get("/channels", Read(Channels))
            .Get("/nodes", Read(Nodes))
            .Get("/silos", Read(Silos))
            .Post("/topic/create", Write(TopicCreate))
            .Post("/topic/delete", Write(TopicDelete))
            .Post("/channel/create", Write(ChannelCreate))
            .Post("/channel/delete", Write(ChannelDelete))
            .Post("/topic/tombstone", Write(TopicTombstone));
    }

    public RouteTable Routes { get; }

    private static ValueTask<ApiResult> Info(ApiRequest request) =>
        new(ApiResult.Json(NsqdOptions.Version, static (json, version) =>
        {
            json.WriteStartObject();
            json.WriteString("version", version);
            json.WriteEndObject();
        }));

    /// <summary>
    /// GET /lookup?topic=: 404 TOPIC_NOT_FOUND only when the topic is not registered at all; a topic named only
    /// through /topic/create or /channel/create is 200 with <c>"producers":[]</c>, as is one tombstoned within
    /// --tombstone-lifetime. Keys sorted, as Go marshals a map.
    /// </summary>
    private async ValueTask<ApiResult> Lookup(ApiRequest request, ClusterCalls cluster)
    {
        if (ApiArgs.RequiredTopic(request.Query, out var topic) is { } error) return error;
        var entry = Find(await EntriesAsync(cluster), topic);
        var external = await ExternalAsync(cluster);
        var externalTopic = external.Find(topic);
        if (entry is null && externalTopic is not { Exists: true }) return ApiError.TopicNotFound;
        var producers = entry is { HasProducer: true }
            ? (await ProducersAsync(cluster)).Where(p => !IsTombstoned(entry, p)).ToArray()
            : [];
        var channels = MergeChannels(entry?.Channels ?? [], externalTopic);
        var externalProducers = LookupProducers(external, externalTopic);
        return ApiResult.Json((Channels: channels, Producers: producers, External: externalProducers), static (json, s) =>
        {
            json.WriteStartObject();
            WriteStrings(json, "channels", s.Channels);
            json.WriteStartArray("producers");
            foreach (var producer in s.Producers) WritePeer(json, producer, closeObject: true);
            foreach (var peer in s.External) WriteExternalPeer(json, peer, closeObject: true);
            json.WriteEndArray();
            json.WriteEndObject();
        });
    }

    /// <summary>GET /topics: every registered topic, with or without a producer; this node's, then the others.</summary>
    private async ValueTask<ApiResult> Topics(ApiRequest request, ClusterCalls cluster)
    {
        var entries = await EntriesAsync(cluster);
        var topics = MergeTopics(entries, await ExternalAsync(cluster));
        return ApiResult.Json(topics, static (json, topics) =>
        {
            json.WriteStartObject();
            WriteStrings(json, "topics", topics);
            json.WriteEndObject();
        });
    }

    /// <summary>GET /channels?topic=: an unknown topic is <c>[]</c>, not an error (nsqd asks this on every topic
    /// it creates).</summary>
    private async ValueTask<ApiResult> Channels(ApiRequest request, ClusterCalls cluster)
    {
        if (ApiArgs.RequiredTopic(request.Query, out var topic) is { } error) return error;
        var channels = MergeChannels(Find(await EntriesAsync(cluster), topic)?.Channels ?? [], (await ExternalAsync(cluster)).Find(topic));
        return ApiResult.Json(channels, static (json, channels) =>
        {
            json.WriteStartObject();
            WriteStrings(json, "channels", channels);
            json.WriteEndObject();
        });
    }

    /// <summary>
    /// GET /nodes: every producer of ours, with the topics it produces and, index for index, whether each is
    /// tombstoned for it (nsqadmin indexes one array by the other). Tombstoned topics stay listed here, unlike in
    /// /lookup. Then every active external node the same way.
    /// </summary>
    private async ValueTask<ApiResult> Nodes(ApiRequest request, ClusterCalls cluster)
    {
        var entries = await EntriesAsync(cluster);
        var produced = Array.FindAll(entries, e => e.HasProducer);
        var producers = await ProducersAsync(cluster);
        var external = ExternalNodes(await ExternalAsync(cluster));
        return ApiResult.Json((Api: this, Produced: produced, Producers: producers, External: external), static (json, s) =>
        {
            json.WriteStartObject();
            json.WriteStartArray("producers");
            foreach (var producer in s.Producers)
            {
                WritePeer(json, producer, closeObject: false);
                json.WriteStartArray("tombstones");
                foreach (var entry in s.Produced) json.WriteBooleanValue(s.Api.IsTombstoned(entry, producer));
                json.WriteEndArray();
                json.WriteStartArray("topics");
                foreach (var entry in s.Produced) json.WriteStringValue(entry.Topic);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            foreach (var node in s.External) WriteExternalNode(json, node);
            json.WriteEndArray();
            json.WriteEndObject();
        });
    }

    /// <summary>POST /topic/create?topic=: MISSING_ARG_TOPIC, INVALID_ARG_TOPIC (lookupd's spelling).</summary>
    private async ValueTask<ApiResult> TopicCreate(ApiRequest request, ClusterCalls cluster)
    {
        if (ApiArgs.RequiredTopic(request.Query, out var topic) is { } error) return error;
        if (!NsqNames.IsValid(topic)) return ApiError.InvalidArgTopic;
        await cluster.CallAsync(ct => _grains.TopicDirectory().RegisterAsync(topic, null, ct));
        return ApiResult.Empty;
    }

    /// <summary>POST /topic/delete?topic=: removes the registration and its channels, also the external nodes'
    /// (with their producers, as nsqlookupd); 200 even when unknown.</summary>
    private async ValueTask<ApiResult> TopicDelete(ApiRequest request, ClusterCalls cluster)
    {
        if (ApiArgs.RequiredTopic(request.Query, out var topic) is { } error) return error;
        if (NsqNames.IsValid(topic)) await cluster.CallAsync(ct => _grains.TopicDirectory().UnregisterAsync(topic, null, ct));
        await cluster.CallAsync(ct => _grains.ExternalProducers().DeleteTopicAsync(topic, ct));
        return ApiResult.Empty;
    }

    /// <summary>POST /channel/create: registers the channel and its topic.</summary>
    private async ValueTask<ApiResult> ChannelCreate(ApiRequest request, ClusterCalls cluster)
    {
        if (ApiArgs.TopicAndChannel(request.Query, out var topic, out var channel) is { } error) return error;
        await cluster.CallAsync(ct => _grains.TopicDirectory().RegisterAsync(topic, channel, ct));
        return ApiResult.Empty;
    }

    /// <summary>POST /channel/delete: 404 CHANNEL_NOT_FOUND for an unknown channel or topic.</summary>
    private async ValueTask<ApiResult> ChannelDelete(ApiRequest request, ClusterCalls cluster)
    {
        if (ApiArgs.TopicAndChannel(request.Query, out var topic, out var channel) is { } error) return error;
        var local = await cluster.CallAsync(ct => _grains.TopicDirectory().UnregisterAsync(topic, channel, ct));
        var external = await cluster.CallAsync(ct => _grains.ExternalProducers().DeleteChannelAsync(topic, channel, ct));
        return local || external ? ApiResult.Empty : ApiError.ChannelNotFound;
    }

    /// <summary>
    /// POST /topic/tombstone?topic=&amp;node=: node is <c>broadcast_address:http_port</c>; one of our live producers
    /// matches for a topic that has producers, an external node for a topic it registered. Anything else is a 200
    /// no-op, as in nsqlookupd.
    /// </summary>
    private async ValueTask<ApiResult> TopicTombstone(ApiRequest request, ClusterCalls cluster)
    {
        if (ApiArgs.RequiredTopic(request.Query, out var topic) is { } error) return error;
        if (!request.Query.TryGet("node", out var node)) return ApiError.MissingArgNode;
        await cluster.CallAsync(ct => _grains.ExternalProducers().TombstoneAsync(topic, node, ct));
        var producers = await cluster.CallAsync(ct => _producers.GetProducersAsync(ct));
        if (!producers.Any(p => p.Node == node)) return ApiResult.Empty;
        var entry = Find(await cluster.CallAsync(ct => _grains.TopicDirectory().GetEntriesAsync(ct)), topic);
        if (entry is { HasProducer: true })
        {
            var lifetime = _options.Value.TombstoneLifetime;
            await cluster.CallAsync(ct => _grains.TopicDirectory().TombstoneAsync(topic, node, lifetime, ct));
        }
        return ApiResult.Empty;
    }

    /// <summary>
    /// GET /debug: the registration table as nsqlookupd dumps it (<c>category:key:subkey</c> → producers). Each of our
    /// producers is registered as a client, under each topic that has producers and each of its channels; the external nodes follow
    /// under the same keys (a key only they had, now without producers, is left out, as nsqlookupd leaves it out).
    /// </summary>
    private async ValueTask<ApiResult> Debug(ApiRequest request, ClusterCalls cluster)
    {
        var entries = await EntriesAsync(cluster);
        var producers = await ProducersAsync(cluster);
        var nowNs = _time.GetUtcNow().ToUnixTimeMilliseconds() * 1_000_000;
        // Go marshals the map with its keys sorted
        var keys = new SortedDictionary<string, DebugKey>(StringComparer.Ordinal) { ["client::"] = new DebugKey(null, IsClient: true) };
        foreach (var entry in entries)
        {
            var producer = entry.HasProducer ? entry : null;
            keys[$"topic:{entry.Topic}:"] = new DebugKey(producer, IsClient: false);
            foreach (var channel in entry.Channels) keys[$"channel:{entry.Topic}:{channel}"] = new DebugKey(producer, IsClient: false);
        }
        AddExternalDebugKeys(keys, await ExternalAsync(cluster));
        return ApiResult.Json((Api: this, Keys: keys, Producers: producers, NowNs: nowNs), static (json, s) =>
        {
            json.WriteStartObject();
            foreach (var (key, debugKey) in s.Keys) s.Api.WriteDebugProducers(json, key, debugKey, s.Producers, s.NowNs);
            json.WriteEndObject();
        }, sizeHint: 1024);
    }

    private void WriteDebugProducers(Utf8JsonWriter json, string key, DebugKey debugKey, IReadOnlyList<LookupdProducer> producers, long nowNs)
    {
        json.WriteStartArray(key);
        if (debugKey.IsClient || debugKey.Local is not null)
            foreach (var producer in producers) WriteLocalDebugProducer(json, producer, debugKey.Local, nowNs);
        foreach (var (peer, tombstonedAtNs) in debugKey.External) WriteExternalDebugProducer(json, peer, tombstonedAtNs);
        json.WriteEndArray();
    }

    private void WriteLocalDebugProducer(Utf8JsonWriter json, LookupdProducer producer, TopicDirectoryEntry? entry, long nowNs)
    {
        var tombstoned = entry is not null && IsTombstoned(entry, producer);
        json.WriteStartObject();
        json.WriteString("id", producer.RemoteAddress);
        json.WriteString("hostname", producer.Hostname);
        json.WriteString("broadcast_address", producer.BroadcastAddress);
        json.WriteNumber("tcp_port", producer.TcpPort);
        json.WriteNumber("http_port", producer.HttpPort);
        json.WriteString("version", producer.Version);
        json.WriteNumber("last_update", nowNs);
        json.WriteBoolean("tombstoned", tombstoned);
        json.WriteNumber("tombstoned_at", tombstoned
            ? (entry!.TombstonedUntil(producer.Node) - (long)_options.Value.TombstoneLifetime.TotalMilliseconds) * 1_000_000
            : GoZeroTimeUnixNano);
        json.WriteEndObject();
    }

    /// <summary>Go's zero time.Time{}.UnixNano(), what nsqlookupd shows for a producer never tombstoned.</summary>
    private const long GoZeroTimeUnixNano = -6795364578871345152;

    /// <summary>PEER (and the first keys of NODE): one of our producers as lookupd describes an nsqd.</summary>
    private static void WritePeer(Utf8JsonWriter json, LookupdProducer producer, bool closeObject)
    {
        json.WriteStartObject();
        json.WriteString("remote_address", producer.RemoteAddress);
        json.WriteString("hostname", producer.Hostname);
        json.WriteString("broadcast_address", producer.BroadcastAddress);
        json.WriteNumber("tcp_port", producer.TcpPort);
        json.WriteNumber("http_port", producer.HttpPort);
        json.WriteString("version", producer.Version);
        if (closeObject) json.WriteEndObject();
    }

    private bool IsTombstoned(TopicDirectoryEntry entry, LookupdProducer producer) =>
        entry.TombstonedUntil(producer.Node) > _time.GetUtcNow().ToUnixTimeMilliseconds();

    private static TopicDirectoryEntry? Find(TopicDirectoryEntry[] entries, string topic)
    {
        foreach (var entry in entries)
        {
            if (entry.Topic == topic) return entry;
        }
        return null;
    }

    private static void WriteStrings(Utf8JsonWriter json, string name, string[] values)
    {
        json.WriteStartArray(name);
        foreach (var value in values) json.WriteStringValue(value);
        json.WriteEndArray();
    }
}
