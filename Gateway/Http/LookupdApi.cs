using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansNsq.Gateway.Options;
using OrleansNsq.Gateway.Producers;
using OrleansNsq.Stats;

namespace OrleansNsq.Gateway.Http;

/// <summary>
/// nsqlookupd's HTTP API (nsqlookupd/http.go, NSQ-REFERENCE §6), answered from the topic directory grain. Any gateway
/// serves any topic, so every producer of <see cref="IProducerDirectory"/> (this node alone, or every live silo of a
/// cluster) produces every topic that has one; a tombstone hides one producer of one topic. A PEER's
/// <c>remote_address</c> is <c>broadcast_address:tcp_port</c> (nsqlookupd shows the address nsqd connected from, which
/// does not exist here; clients ignore it).
/// </summary>
internal sealed class LookupdApi
{
    private readonly IGrainFactory _grains;
    private readonly IOptions<NsqdOptions> _options;
    private readonly IProducerDirectory _producers;
    private readonly TimeProvider _time;

    public LookupdApi(IServiceProvider services)
    {
        _grains = services.GetRequiredService<IGrainFactory>();
        _options = services.GetRequiredService<IOptions<NsqdOptions>>();
        _producers = services.GetRequiredService<IProducerDirectory>();
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
        var producers = entry.HasProducer ? await _producers.GetProducersAsync() : [];
        var live = producers.Where(p => !IsTombstoned(entry, p)).ToArray();
        return ApiResult.Json((Entry: entry, Producers: live), static (json, s) =>
        {
            json.WriteStartObject();
            WriteStrings(json, "channels", s.Entry.Channels);
            json.WriteStartArray("producers");
            foreach (var producer in s.Producers) WritePeer(json, producer, closeObject: true);
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
    /// GET /nodes: every producer, with the topics it produces and, index for index, whether each is tombstoned for
    /// it (nsqadmin indexes one array by the other). Tombstoned topics stay listed here, unlike in /lookup.
    /// </summary>
    private async ValueTask<ApiResult> Nodes(ApiRequest request)
    {
        var entries = await _grains.TopicDirectory().GetEntriesAsync();
        var produced = Array.FindAll(entries, e => e.HasProducer);
        var producers = await _producers.GetProducersAsync();
        return ApiResult.Json((Api: this, Produced: produced, Producers: producers), static (json, s) =>
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
    /// POST /topic/tombstone?topic=&amp;node=: node is a producer's <c>broadcast_address:http_port</c>; only a live
    /// producer can match, and only for a topic that has producers. Anything else is a 200 no-op, as in nsqlookupd.
    /// </summary>
    private async ValueTask<ApiResult> TopicTombstone(ApiRequest request)
    {
        if (ApiArgs.RequiredTopic(request.Query, out var topic) is { } error) return error;
        if (!request.Query.TryGet("node", out var node)) return ApiError.MissingArgNode;
        var producers = await _producers.GetProducersAsync();
        if (!producers.Any(p => p.Node == node)) return ApiResult.Empty;
        var entry = await FindAsync(topic);
        if (entry is { HasProducer: true })
        {
            await _grains.TopicDirectory().TombstoneAsync(topic, node, _options.Value.TombstoneLifetime);
        }
        return ApiResult.Empty;
    }

    /// <summary>
    /// GET /debug: the registration table as nsqlookupd dumps it (<c>category:key:subkey</c> → producers). Every
    /// producer is registered as a client, under each topic that has producers and each of its channels.
    /// </summary>
    private async ValueTask<ApiResult> Debug(ApiRequest request)
    {
        var entries = await _grains.TopicDirectory().GetEntriesAsync();
        var producers = await _producers.GetProducersAsync();
        var nowNs = _time.GetUtcNow().ToUnixTimeMilliseconds() * 1_000_000;
        // Go marshals the map with its keys sorted
        var keys = new List<(string Key, TopicDirectoryEntry? Entry, bool IsClient)> { ("client::", null, true) };
        foreach (var entry in entries)
        {
            var produced = entry.HasProducer ? entry : null;
            keys.Add(($"topic:{entry.Topic}:", produced, false));
            foreach (var channel in entry.Channels) keys.Add(($"channel:{entry.Topic}:{channel}", produced, false));
        }
        keys.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        return ApiResult.Json((Api: this, Keys: keys, Producers: producers, NowNs: nowNs), static (json, s) =>
        {
            json.WriteStartObject();
            foreach (var (key, entry, isClient) in s.Keys)
            {
                json.WriteStartArray(key);
                if (isClient || entry is not null)
                    foreach (var producer in s.Producers) s.Api.WriteDebugProducer(json, producer, entry, s.NowNs);
                json.WriteEndArray();
            }
            json.WriteEndObject();
        }, sizeHint: 1024);
    }

    private void WriteDebugProducer(Utf8JsonWriter json, LookupdProducer producer, TopicDirectoryEntry? entry, long nowNs)
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

    /// <summary>PEER (and the first keys of NODE): a producer as lookupd describes an nsqd.</summary>
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
