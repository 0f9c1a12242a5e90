namespace OrleansNsq.Gateway.Http;

/// <summary>
/// The nine keys of /stats <c>memory</c>, from the .NET GC instead of Go's runtime.MemStats. The mapping:
/// heap_objects — not tracked by .NET, 0; heap_in_use_bytes — heap size minus fragmentation;
/// heap_idle_bytes — committed but not in use (plus fragmentation); heap_released_bytes — not tracked, 0;
/// gc_pause_usec_100/99/95 — percentiles (nsqd's nearest-rank rule) of the pauses of the last ephemeral, full and
/// background GCs; next_gc_bytes — committed bytes (what the heap can fill before the GC commits more);
/// gc_total_runs — gen 0 collections, which every collection counts.
/// </summary>
internal sealed record RuntimeMemory(
    long HeapObjects,
    long HeapIdleBytes,
    long HeapInUseBytes,
    long HeapReleasedBytes,
    long GcPauseUsec100,
    long GcPauseUsec99,
    long GcPauseUsec95,
    long NextGcBytes,
    long GcTotalRuns)
{
    public static RuntimeMemory Take()
    {
        var info = GC.GetGCMemoryInfo(GCKind.Any);
        var pauses = new List<long>(6);
        foreach (var kind in (ReadOnlySpan<GCKind>)[GCKind.Ephemeral, GCKind.FullBlocking, GCKind.Background])
        {
            var last = GC.GetGCMemoryInfo(kind);
            if (last.Index == 0) continue;
            foreach (var pause in last.PauseDurations)
            {
                if (pause > TimeSpan.Zero) pauses.Add(pause.Ticks / TimeSpan.TicksPerMicrosecond);
            }
        }
        pauses.Sort();

        var inUse = Math.Max(0, info.HeapSizeBytes - info.FragmentedBytes);
        return new RuntimeMemory(
            HeapObjects: 0,
            HeapIdleBytes: Math.Max(0, info.TotalCommittedBytes - inUse),
            HeapInUseBytes: inUse,
            HeapReleasedBytes: 0,
            GcPauseUsec100: Percentile(100, pauses),
            GcPauseUsec99: Percentile(99, pauses),
            GcPauseUsec95: Percentile(95, pauses),
            NextGcBytes: info.TotalCommittedBytes,
            GcTotalRuns: GC.CollectionCount(0));
    }

    /// <summary>nsqd/statsd.go percentile: index floor(p/100·n + 0.5), capped at n−1; 0 when empty.</summary>
    internal static long Percentile(double percent, List<long> sorted)
    {
        if (sorted.Count == 0) return 0;
        var index = (int)Math.Floor(percent / 100.0 * sorted.Count + 0.5);
        return sorted[Math.Min(index, sorted.Count - 1)];
    }
}
