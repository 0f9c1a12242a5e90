using System.Text.Json;

namespace OrleansNsq.AdminUi.Tests.Infrastructure;

/// <summary>The Silo's nsqd /stats, read until it says what a test waits for (an action taken through the UI).</summary>
public static class StatsProbe
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>Waits (bounded) until <paramref name="condition"/> holds for /stats?topic=..., and returns that answer.</summary>
    public static async Task<NsqdStats> UntilAsync(NsqdHttp http, string topic, string expected, Func<NsqdStats, bool> condition)
    {
        NsqdStats? last = null;
        await BoundedWait.UntilAsync(
            phase: $"/stats of {topic}",
            expected: expected,
            timeout: Timeout,
            probe: async () =>
            {
                last = await http.StatsAsync(topic);
                return (condition(last), last.Topic(topic)?.ToString() ?? "no such topic");
            });
        return last!;
    }

    /// <summary>The whole /stats answer (every topic).</summary>
    public static async Task<JsonElement> AllAsync(SiloProcess silo)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var json = await client.GetStringAsync($"http://{silo.HttpAddress}/stats?format=json");
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    public static bool ChannelPaused(NsqdStats stats, string topic, string channel) =>
        stats.Channel(topic, channel) is { } c && c.TryGetProperty("paused", out var paused) && paused.GetBoolean();

    public static bool TopicPaused(NsqdStats stats, string topic) =>
        stats.Topic(topic) is { } t && t.TryGetProperty("paused", out var paused) && paused.GetBoolean();
}
