using System.Text.Json;

namespace OrleansNsq.Tools.Stat;

/// <summary>One channel's /stats counters summed over every nsqd that has the topic (nsq_stat's clusterinfo.ChannelStats).</summary>
internal sealed record ChannelTotals(
    long Depth,
    long BackendDepth,
    long InFlightCount,
    long DeferredCount,
    long MessageCount,
    long RequeueCount,
    long TimeoutCount,
    long ClientCount)
{
    public static ChannelTotals Zero { get; } = new(0, 0, 0, 0, 0, 0, 0, 0);

    /// <summary>Messages in memory: nsqd reports depth (memory + disk) and backend_depth (disk).</summary>
    public long MemoryDepth => Depth - BackendDepth;

    public ChannelTotals Plus(ChannelTotals other) => new(
        Depth + other.Depth, BackendDepth + other.BackendDepth, InFlightCount + other.InFlightCount,
        DeferredCount + other.DeferredCount, MessageCount + other.MessageCount, RequeueCount + other.RequeueCount,
        TimeoutCount + other.TimeoutCount, ClientCount + other.ClientCount);

    /// <summary>The channel in a <c>/stats?format=json</c> answer, or null when the topic or the channel is not there.</summary>
    public static ChannelTotals? Find(JsonElement stats, string topic, string channel)
    {
        if (!stats.TryGetProperty("topics", out var topics) || topics.ValueKind != JsonValueKind.Array) return null;
        foreach (var t in topics.EnumerateArray())
        {
            if (t.GetProperty("topic_name").GetString() != topic) continue;
            if (!t.TryGetProperty("channels", out var channels) || channels.ValueKind != JsonValueKind.Array) return null;
            foreach (var c in channels.EnumerateArray())
            {
                if (c.GetProperty("channel_name").GetString() != channel) continue;
                return new ChannelTotals(Long(c, "depth"), Long(c, "backend_depth"), Long(c, "in_flight_count"),
                    Long(c, "deferred_count"), Long(c, "message_count"), Long(c, "requeue_count"),
                    Long(c, "timeout_count"), Long(c, "client_count"));
            }
        }
        return null;
    }

    private static long Long(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt64() : 0;
}
