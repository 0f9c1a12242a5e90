using System.Buffers.Binary;
using System.Net;
using System.Text;
using System.Text.Json;

namespace OrleansNsq.EndToEnd.Tests.Infrastructure;

/// <summary>The nsqd and nsqlookupd HTTP APIs of one Silo, as an NSQ client would call them.</summary>
public sealed class NsqdHttp : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly string _nsqd;
    private readonly string _lookupd;

    public NsqdHttp(SiloProcess silo)
    {
        _nsqd = $"http://{silo.HttpAddress}";
        _lookupd = $"http://{silo.LookupdHttpAddress}";
    }

    public Task CreateTopicAsync(string topic) => PostOkAsync($"{_nsqd}/topic/create?topic={topic}", null);

    public Task CreateChannelAsync(string topic, string channel) =>
        PostOkAsync($"{_nsqd}/channel/create?topic={topic}&channel={channel}", null);

    /// <summary>POST /pub with one body.</summary>
    public Task PubAsync(string topic, string body) => PostOkAsync($"{_nsqd}/pub?topic={topic}", Encoding.UTF8.GetBytes(body));

    /// <summary>POST /mpub in text mode: one message per line.</summary>
    public Task MpubAsync(string topic, IReadOnlyList<string> bodies) =>
        PostOkAsync($"{_nsqd}/mpub?topic={topic}", Encoding.UTF8.GetBytes(string.Join('\n', bodies)));

    /// <summary>POST /mpub?binary=true: [i32 count] then count × [i32 size][bytes].</summary>
    public Task MpubBinaryAsync(string topic, IReadOnlyList<string> bodies)
    {
        var parts = bodies.Select(Encoding.UTF8.GetBytes).ToArray();
        var payload = new byte[4 + parts.Sum(p => 4 + p.Length)];
        BinaryPrimitives.WriteInt32BigEndian(payload, parts.Length);
        var at = 4;
        foreach (var part in parts)
        {
            BinaryPrimitives.WriteInt32BigEndian(payload.AsSpan(at), part.Length);
            part.CopyTo(payload, at + 4);
            at += 4 + part.Length;
        }

        return PostOkAsync($"{_nsqd}/mpub?topic={topic}&binary=true", payload);
    }

    /// <summary>GET /stats?format=json&amp;topic=... as a parsed document.</summary>
    public async Task<NsqdStats> StatsAsync(string topic)
    {
        var json = await _http.GetStringAsync($"{_nsqd}/stats?format=json&topic={topic}");
        using var doc = JsonDocument.Parse(json);
        return new NsqdStats(doc.RootElement.Clone());
    }

    /// <summary>GET lookupd /lookup?topic=...: status code and body.</summary>
    public async Task<(HttpStatusCode Status, string Body)> LookupAsync(string topic)
    {
        using var response = await _http.GetAsync($"{_lookupd}/lookup?topic={topic}");
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private async Task PostOkAsync(string url, byte[]? body)
    {
        using var content = new ByteArrayContent(body ?? []);
        using var response = await _http.PostAsync(url, content);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            var text = await response.Content.ReadAsStringAsync();
            throw new HttpRequestException($"POST {url} answered {(int)response.StatusCode}: {text}");
        }
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>A /stats?format=json answer, with lookups of the counters the tests compare.</summary>
public sealed record NsqdStats(JsonElement Root)
{
    public JsonElement? Topic(string topic)
    {
        if (!Root.TryGetProperty("topics", out var topics) || topics.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        foreach (var t in topics.EnumerateArray())
        {
            if (t.GetProperty("topic_name").GetString() == topic)
            {
                return t;
            }
        }

        return null;
    }

    public JsonElement? Channel(string topic, string channel)
    {
        if (Topic(topic) is not { } t || !t.TryGetProperty("channels", out var channels) || channels.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        foreach (var c in channels.EnumerateArray())
        {
            if (c.GetProperty("channel_name").GetString() == channel)
            {
                return c;
            }
        }

        return null;
    }

    /// <summary>A topic counter, or null when the topic (or the counter) is absent.</summary>
    public long? TopicCounter(string topic, string counter) =>
        Topic(topic) is { } t && t.TryGetProperty(counter, out var v) ? v.GetInt64() : null;

    /// <summary>A channel counter, or null when the channel (or the counter) is absent.</summary>
    public long? ChannelCounter(string topic, string channel, string counter) =>
        Channel(topic, channel) is { } c && c.TryGetProperty(counter, out var v) ? v.GetInt64() : null;

    /// <summary>The counters that decide "every message delivered and finished", for failure messages.</summary>
    public string Describe(string topic, params string[] channels)
    {
        var parts = new List<string>
        {
            $"topic {topic}: message_count={TopicCounter(topic, "message_count")?.ToString() ?? "absent"} depth={TopicCounter(topic, "depth")?.ToString() ?? "absent"}",
        };
        foreach (var channel in channels)
        {
            string C(string name) => ChannelCounter(topic, channel, name)?.ToString() ?? "absent";
            parts.Add($"channel {channel}: message_count={C("message_count")} depth={C("depth")} in_flight_count={C("in_flight_count")} deferred_count={C("deferred_count")} requeue_count={C("requeue_count")} timeout_count={C("timeout_count")} client_count={C("client_count")}");
        }

        return string.Join("; ", parts);
    }
}
