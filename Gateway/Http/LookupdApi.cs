using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansNsq.Gateway.Options;
using OrleansNsq.Stats;

namespace OrleansNsq.Gateway.Http;

/// <summary>
/// nsqlookupd's HTTP API (nsqlookupd/http.go, NSQ-REFERENCE §6), answered from the topic directory grain. The
/// cluster is one NSQ node to its clients: the only producer lookupd knows is this gateway, described by
/// <see cref="NodeIdentity"/>. Its PEER <c>remote_address</c> is <c>broadcast_address:tcp_port</c> (nsqlookupd shows
/// the address nsqd connected from, which does not exist here; clients ignore it).
/// </summary>
internal sealed class LookupdApi
{
    private readonly IGrainFactory _grains;
    private readonly IOptions<NsqdOptions> _options;
    private readonly NodeIdentity _node;
    private readonly TimeProvider _time;

    public LookupdApi(IServiceProvider services)
    {
        _grains = services.GetRequiredService<IGrainFactory>();
        _options = services.GetRequiredService<IOptions<NsqdOptions>>();
        _node = services.GetRequiredService<NodeIdentity>();
        _time = services.GetService<TimeProvider>() ?? TimeProvider.System;
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("OrleansNsq.Gateway.Http.Lookupd");

        Routes = new RouteTable(logger)
            .Get("/ping", static _ => new(ApiResult.Ok), Envelope.PlainText)
            .Get("/info", Info)
            .Get("/debug", Debug)
            .Get("/lookup", Lookup)
            .Get("/topics", Topics)
            .Get("/channels", Channels)
            .Get("/nodes", Nodes)
            .Post("/topic/create", TopicCreate)
            .Post("/topic/delete", TopicDelete)
            .Post("/channel/create", ChannelCreate)
            .Post("/channel/delete", ChannelDelete)
            .Post("/topic/tombstone", TopicTombstone);
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
    private async ValueTask<ApiResult> Lookup(ApiRequest request)
    {
        if (ApiArgs.RequiredTopic(request.Query, out var topic) is { } error) return error;
        var entry = await FindAsync(topic);
        if (entry is null) return ApiError.TopicNotFound;
        var producer = entry.HasProducer && !IsTombstoned(entry);
        return ApiResult.Json((Api: this, Entry: entry, Producer: producer), static (json, s) =>
        {
            json.WriteStartObject();
            WriteStrings(json, "channels", s.Entry.Channels);
            json.WriteStartArray("producers");
            if (s.Producer) s.Api.WritePeer(json, closeObject: true);
            json.WriteEndArray();
            json.WriteEndObject();
        });
    }

    /// <summary>GET /topics: every registered topic, with or without a producer.</summary>
    private async ValueTask<ApiResult> Topics(ApiRequest request)
    {
        var entries = await _grains.TopicDirectory().GetEntriesAsync();
        return ApiResult.Json(entries, static (json, entries) =>
        {
            json.WriteStartObject();
            json.WriteStartArray("topics");
            foreach (var entry in entries) json.WriteStringValue(entry.Topic);
            json.WriteEndArray();
            json.WriteEndObject();
        });
    }

    /// <summary>GET /channels?topic=: an unknown topic is <c>[]</c>, not an error (nsqd asks this on every topic
    /// it creates).</summary>
    private async ValueTask<ApiResult> Channels(ApiRequest request)
    {
        if (ApiArgs.RequiredTopic(request.Query, out var topic) is { } error) return error;
        var channels = (await FindAsync(topic))?.Channels ?? [];
        return ApiResult.Json(channels, static (json, channels) =>
        {
            json.WriteStartObject();
            WriteStrings(json, "channels", channels);
            json.WriteEndObject();
        });
    }

    /// <summary>
    /// GET /nodes: this node, with the topics it produces and, index for index, whether each is tombstoned
    /// (nsqadmin indexes one array by the other). Tombstoned topics stay listed here, unlike in /lookup.
    /// </summary>
    private async ValueTask<ApiResult> Nodes(ApiRequest request)
    {
        var entries = await _grains.TopicDirectory().GetEntriesAsync();
        var produced = Array.FindAll(entries, e => e.HasProducer);
        return ApiResult.Json((Api: this, Produced: produced), static (json, s) =>
        {
            json.WriteStartObject();
            json.WriteStartArray("producers");
            s.Api.WritePeer(json, closeObject: false);
            json.WriteStartArray("tombstones");
            foreach (var entry in s.Produced) json.WriteBooleanValue(s.Api.IsTombstoned(entry));
            json.WriteEndArray();
            json.WriteStartArray("topics");
            foreach (var entry in s.Produced) json.WriteStringValue(entry.Topic);
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        });
    }

    /// <summary>POST /topic/create?topic=: MISSING_ARG_TOPIC, INVALID_ARG_TOPIC (lookupd's spelling).</summary>
    private async ValueTask<ApiResult> TopicCreate(ApiRequest request)
    {
        if (ApiArgs.RequiredTopic(request.Query, out var topic) is { } error) return error;
        if (!HttpNameRules.IsValid(topic)) return ApiError.InvalidArgTopic;
        await _grains.TopicDirectory().RegisterAsync(topic, null);
        return ApiResult.Empty;
    }

    /// <summary>POST /topic/delete?topic=: removes the registration and its channels; 200 even when unknown.</summary>
    private async ValueTask<ApiResult> TopicDelete(ApiRequest request)
    {
        if (ApiArgs.RequiredTopic(request.Query, out var topic) is { } error) return error;
        if (HttpNameRules.IsValid(topic)) await _grains.TopicDirectory().UnregisterAsync(topic, null);
        return ApiResult.Empty;
    }

    /// <summary>POST /channel/create: registers the channel and its topic.</summary>
    private async ValueTask<ApiResult> ChannelCreate(ApiRequest request)
    {
        if (ApiArgs.TopicAndChannel(request.Query, out var topic, out var channel) is { } error) return error;
        await _grains.TopicDirectory().RegisterAsync(topic, channel);
        return ApiResult.Empty;
    }

    /// <summary>POST /channel/delete: 404 CHANNEL_NOT_FOUND for an unknown channel or topic.</summary>
    private async ValueTask<ApiResult> ChannelDelete(ApiRequest request)
    {
        if (ApiArgs.TopicAndChannel(request.Query, out var topic, out var channel) is { } error) return error;
        return await _grains.TopicDirectory().UnregisterAsync(topic, channel) ? ApiResult.Empty : ApiError.ChannelNotFound;
    }

    /// <summary>
    /// POST /topic/tombstone?topic=&amp;node=: node is <c>broadcast_address:http_port</c>; only this node can match,
    /// and only for a topic it produces. Anything else is a 200 no-op, as in nsqlookupd.
    /// </summary>
    private async ValueTask<ApiResult> TopicTombstone(ApiRequest request)
    {
        if (ApiArgs.RequiredTopic(request.Query, out var topic) is { } error) return error;
        if (!request.Query.TryGet("node", out var node)) return ApiError.MissingArgNode;
        if (node != $"{_node.BroadcastAddress}:{_node.HttpPort}") return ApiResult.Empty;
        var entry = await FindAsync(topic);
        if (entry is { HasProducer: true })
        {
            await _grains.TopicDirectory().TombstoneAsync(topic, _options.Value.TombstoneLifetime);
        }
        return ApiResult.Empty;
    }

    /// <summary>
    /// GET /debug: the registration table as nsqlookupd dumps it (<c>category:key:subkey</c> → producers). This node
    /// is registered as a client, under each topic it produces and each of their channels.
    /// </summary>
    private async ValueTask<ApiResult> Debug(ApiRequest request)
    {
        var entries = await _grains.TopicDirectory().GetEntriesAsync();
        var nowNs = _time.GetUtcNow().ToUnixTimeMilliseconds() * 1_000_000;
        // Go marshals the map with its keys sorted
        var keys = new List<(string Key, TopicDirectoryEntry? Producer, bool IsClient)> { ("client::", null, true) };
        foreach (var entry in entries)
        {
            var producer = entry.HasProducer ? entry : null;
            keys.Add(($"topic:{entry.Topic}:", producer, false));
            foreach (var channel in entry.Channels) keys.Add(($"channel:{entry.Topic}:{channel}", producer, false));
        }
        keys.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        return ApiResult.Json((Api: this, Keys: keys, NowNs: nowNs), static (json, s) =>
        {
            json.WriteStartObject();
            foreach (var (key, producer, isClient) in s.Keys) s.Api.WriteDebugProducers(json, key, producer, isClient, s.NowNs);
            json.WriteEndObject();
        }, sizeHint: 1024);
    }

    private void WriteDebugProducers(Utf8JsonWriter json, string key, TopicDirectoryEntry? entry, bool isClient, long nowNs)
    {
        json.WriteStartArray(key);
        if (isClient || entry is not null)
        {
            var tombstoned = entry is not null && IsTombstoned(entry);
            json.WriteStartObject();
            json.WriteString("id", RemoteAddress);
            json.WriteString("hostname", _node.Hostname);
            json.WriteString("broadcast_address", _node.BroadcastAddress);
            json.WriteNumber("tcp_port", _node.TcpPort);
            json.WriteNumber("http_port", _node.HttpPort);
            json.WriteString("version", NsqdOptions.Version);
            json.WriteNumber("last_update", nowNs);
            json.WriteBoolean("tombstoned", tombstoned);
            json.WriteNumber("tombstoned_at", tombstoned
                ? (entry!.TombstonedUntilUnixMs - (long)_options.Value.TombstoneLifetime.TotalMilliseconds) * 1_000_000
                : GoZeroTimeUnixNano);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    /// <summary>Go's zero time.Time{}.UnixNano(), what nsqlookupd shows for a producer never tombstoned.</summary>
    private const long GoZeroTimeUnixNano = -6795364578871345152;

    /// <summary>PEER (and the first keys of NODE): this node as lookupd describes an nsqd.</summary>
    private void WritePeer(Utf8JsonWriter json, bool closeObject)
    {
        json.WriteStartObject();
        json.WriteString("remote_address", RemoteAddress);
        json.WriteString("hostname", _node.Hostname);
        json.WriteString("broadcast_address", _node.BroadcastAddress);
        json.WriteNumber("tcp_port", _node.TcpPort);
        json.WriteNumber("http_port", _node.HttpPort);
        json.WriteString("version", NsqdOptions.Version);
        if (closeObject) json.WriteEndObject();
    }

    private string RemoteAddress => $"{_node.BroadcastAddress}:{_node.TcpPort}";

    private bool IsTombstoned(TopicDirectoryEntry entry) =>
        entry.TombstonedUntilUnixMs > _time.GetUtcNow().ToUnixTimeMilliseconds();

    private async ValueTask<TopicDirectoryEntry?> FindAsync(string topic)
    {
        var entries = await _grains.TopicDirectory().GetEntriesAsync();
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
