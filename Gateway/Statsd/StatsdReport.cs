using OrleansNsq.Gateway.Http;
using OrleansNsq.Stats;

namespace OrleansNsq.Gateway.Statsd;

/// <summary>
/// One push's metrics, named and ordered as nsqd's statsd loop sends them: per topic message_count and
/// message_bytes (counters: the change since the previous push), depth and backend_depth (gauges); per channel
/// message_count, depth, backend_depth, in_flight_count, deferred_count, requeue_count, timeout_count, clients; each
/// followed by its e2e_processing_latency_&lt;percentile&gt; gauges when percentiles are configured; then,
/// with --statsd-mem-stats, the runtime's memory gauges and gc_runs. A topic or channel not in the previous push
/// counts from zero.
/// </summary>
internal static class StatsdReport
{
    public static void Write(StatsdPackets packets, TopicStats[] topics, TopicStats[] previous, bool excludeEphemeral)
    {
        foreach (var topic in topics)
        {
            if (excludeEphemeral && topic.TopicName.EndsWith("#ephemeral", StringComparison.Ordinal)) continue;
            var last = Array.Find(previous, t => t.TopicName == topic.TopicName);
            var t = $"topic.{topic.TopicName}";
            packets.Count($"{t}.message_count", topic.MessageCount - (last?.MessageCount ?? 0));
            packets.Count($"{t}.message_bytes", topic.MessageBytes - (last?.MessageBytes ?? 0));
            packets.Gauge($"{t}.depth", topic.Depth);
            packets.Gauge($"{t}.backend_depth", topic.BackendDepth);
            Percentiles(packets, t, topic.E2eProcessingLatency);
            foreach (var channel in topic.Channels)
            {
                if (excludeEphemeral && channel.ChannelName.EndsWith("#ephemeral", StringComparison.Ordinal)) continue;
                var lastChannel = last is null ? null : Array.Find(last.Channels, c => c.ChannelName == channel.ChannelName);
                var c = $"{t}.channel.{channel.ChannelName}";
                packets.Count($"{c}.message_count", channel.MessageCount - (lastChannel?.MessageCount ?? 0));
                packets.Gauge($"{c}.depth", channel.Depth);
                packets.Gauge($"{c}.backend_depth", channel.BackendDepth);
                packets.Gauge($"{c}.in_flight_count", channel.InFlightCount);
                packets.Gauge($"{c}.deferred_count", channel.DeferredCount);
                packets.Count($"{c}.requeue_count", channel.RequeueCount - (lastChannel?.RequeueCount ?? 0));
                packets.Count($"{c}.timeout_count", channel.TimeoutCount - (lastChannel?.TimeoutCount ?? 0));
                packets.Gauge($"{c}.clients", channel.ClientCount);
                Percentiles(packets, c, channel.E2eProcessingLatency);
            }
        }
    }

    /// <summary><c>….e2e_processing_latency_99</c> (the quantile × 100, rounded) in ns, one gauge per percentile.</summary>
    private static void Percentiles(StatsdPackets packets, string stat, E2eLatency? latency)
    {
        if (latency is null) return;
        for (var i = 0; i < latency.Quantiles.Length; i++)
        {
            var name = (latency.Quantiles[i] * 100).ToString("F0", System.Globalization.CultureInfo.InvariantCulture);
            packets.Gauge($"{stat}.e2e_processing_latency_{name}", (long)latency.ValuesNs[i]);
        }
    }

    /// <summary>The memory keys of /stats (see <see cref="RuntimeMemory"/> for what each is in .NET).</summary>
    public static void WriteMemory(StatsdPackets packets, RuntimeMemory memory, RuntimeMemory? previous)
    {
        packets.Gauge("mem.heap_objects", memory.HeapObjects);
        packets.Gauge("mem.heap_idle_bytes", memory.HeapIdleBytes);
        packets.Gauge("mem.heap_in_use_bytes", memory.HeapInUseBytes);
        packets.Gauge("mem.heap_released_bytes", memory.HeapReleasedBytes);
        packets.Gauge("mem.gc_pause_usec_100", memory.GcPauseUsec100);
        packets.Gauge("mem.gc_pause_usec_99", memory.GcPauseUsec99);
        packets.Gauge("mem.gc_pause_usec_95", memory.GcPauseUsec95);
        packets.Gauge("mem.next_gc_bytes", memory.NextGcBytes);
        packets.Count("mem.gc_runs", memory.GcTotalRuns - (previous?.GcTotalRuns ?? 0));
    }
}
