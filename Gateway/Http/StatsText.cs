using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using OrleansNsq.Gateway.Connections;
using OrleansNsq.Gateway.Options;
using OrleansNsq.Stats;

using OrleansNsq.Protocol;

namespace OrleansNsq.Gateway.Http;

/// <summary>
/// /stats in its default text format (nsqd/http.go printStats, ClientV2Stats.String). Only humans read it, so the
/// layout follows nsqd but the build string names .NET.
/// </summary>
internal static class StatsText
{
    public static byte[] Render(StatsView view)
    {
        var w = new StringBuilder(1024);
        w.Append(CultureInfo.InvariantCulture, $"nsqd v{NsqdOptions.Version} (built w/{RuntimeInformation.FrameworkDescription})\n");
        w.Append(CultureInfo.InvariantCulture, $"start_time {Rfc3339(view.StartTime)}\n");
        w.Append(CultureInfo.InvariantCulture, $"uptime {GoDuration.Format(view.Now - view.StartTime)}\n");
        w.Append(CultureInfo.InvariantCulture, $"\nHealth: {view.Health}\n");

        if (view.Memory is { } m)
        {
            w.Append("\nMemory:\n");
            Memory(w, "heap_objects", m.HeapObjects);
            Memory(w, "heap_idle_bytes", m.HeapIdleBytes);
            Memory(w, "heap_in_use_bytes", m.HeapInUseBytes);
            Memory(w, "heap_released_bytes", m.HeapReleasedBytes);
            Memory(w, "gc_pause_usec_100", m.GcPauseUsec100);
            Memory(w, "gc_pause_usec_99", m.GcPauseUsec99);
            Memory(w, "gc_pause_usec_95", m.GcPauseUsec95);
            Memory(w, "next_gc_bytes", m.NextGcBytes);
            Memory(w, "gc_total_runs", m.GcTotalRuns);
        }

        var topics = view.Topics ?? [];
        w.Append(topics.Length == 0 ? "\nTopics: None\n" : "\nTopics:");
        foreach (var t in topics)
        {
            w.Append(CultureInfo.InvariantCulture,
                $"\n{(t.Paused ? "*P " : "   ")}[{t.TopicName,-15}] depth: {t.Depth,-5} be-depth: {t.BackendDepth,-5} msgs: {t.MessageCount,-8} e2e%: {E2e(t.E2eProcessingLatency)}\n");
            foreach (var c in t.Channels)
            {
                w.Append(CultureInfo.InvariantCulture,
                    $"{(c.Paused ? "   *P " : "      ")}[{c.ChannelName,-25}] depth: {c.Depth,-5} be-depth: {c.BackendDepth,-5} inflt: {c.InFlightCount,-4} def: {c.DeferredCount,-4} re-q: {c.RequeueCount,-5} timeout: {c.TimeoutCount,-5} msgs: {c.MessageCount,-8} e2e%: {E2e(c.E2eProcessingLatency)}\n");
                foreach (var client in view.ConsumersOf(t.TopicName, c.ChannelName) ?? [])
                {
                    w.Append("        ").Append(Client(view, client)).Append('\n');
                }
            }
        }

        var producers = view.Topics is null ? null : view.Producers();
        if (producers is null)
        {
            w.Append("\nProducers: None\n");
        }
        else
        {
            w.Append("\nProducers:\n");
            foreach (var producer in producers) w.Append("   ").Append(Client(view, producer)).Append('\n');
        }
        return Encoding.UTF8.GetBytes(w.ToString());
    }

    /// <summary>Go's time.RFC3339: "Z" for UTC, else the offset.</summary>
    private static string Rfc3339(DateTimeOffset time) =>
        time.ToString(time.Offset == TimeSpan.Zero ? "yyyy-MM-dd'T'HH:mm:ss'Z'" : "yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    private static void Memory(StringBuilder w, string name, long value) =>
        w.Append(CultureInfo.InvariantCulture, $"   {name,-25}\t{value}\n");

    /// <summary>ClientV2Stats.String: a producer line when it has a pub count to show, else a consumer line.</summary>
    /// <summary>nsqd's quantile.Result.String(): each value as NanoSecondToHuman ("%0.1f" and s/ms/us/ns), ", " between.</summary>
    internal static string E2e(E2eLatency? latency)
    {
        if (latency is null) return "";
        return string.Join(", ", latency.ValuesNs.Select(static v => v switch
        {
            > 1_000_000_000 => (v / 1_000_000_000).ToString("0.0", CultureInfo.InvariantCulture) + "s",
            > 1_000_000 => (v / 1_000_000).ToString("0.0", CultureInfo.InvariantCulture) + "ms",
            > 1_000 => (v / 1_000).ToString("0.0", CultureInfo.InvariantCulture) + "us",
            _ => v.ToString("0.0", CultureInfo.InvariantCulture) + "ns",
        }));
    }

    private static string Client(StatsView view, ClientSnapshot c)
    {
        var connected = GoDuration.Format(TimeSpan.FromSeconds(Math.Max(0, view.Now.ToUnixTimeSeconds() - c.ConnectTimestamp)));
        var id = $"{c.Hostname}:{PortOf(c.RemoteAddress)} {c.UserAgent}";
        if (view.PubCountOf(c) is { } pub)
        {
            return string.Create(CultureInfo.InvariantCulture,
                $"[V2 {id,-21}] msgs: {pub.Value,-8} topics: {pub.Key}={pub.Value} connected: {connected}");
        }
        return string.Create(CultureInfo.InvariantCulture,
            $"[V2 {id,-21}] state: {c.State} inflt: {c.InFlightCount,-4} rdy: {c.ReadyCount,-4} fin: {c.FinishCount,-8} re-q: {c.RequeueCount,-8} msgs: {c.MessageCount,-8} connected: {connected}");
    }

    private static string PortOf(string remoteAddress)
    {
        var colon = remoteAddress.LastIndexOf(':');
        return colon < 0 ? "" : remoteAddress[(colon + 1)..];
    }
}
