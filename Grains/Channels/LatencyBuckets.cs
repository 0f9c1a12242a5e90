using OrleansNsq.Stats;

namespace OrleansNsq.Grains.Channels;

/// <summary>
/// Log-linear buckets of nanosecond latencies: exact below 16 ns, then 16 buckets per power of two, so a bucket is at
/// most 1/16 of its value wide and a quantile read from its middle is within ±3.2 % of the true value. 960 buckets
/// cover every positive long. Inserting is a shift and an increment: no allocation per message.
/// </summary>
internal static class LatencyBuckets
{
    private const int SubBits = 4;
    private const int SubCount = 1 << SubBits;
    public const int Count = (63 - SubBits + 1) * SubCount;

    public static int IndexOf(long ns)
    {
        if (ns < SubCount) return (int)Math.Max(0, ns);
        var exponent = 63 - long.LeadingZeroCount(ns); // ≥ SubBits
        var sub = (int)(ns >> (int)(exponent - SubBits)) & (SubCount - 1);
        return (int)(exponent - SubBits + 1) * SubCount + sub;
    }

    /// <summary>The middle of a bucket, a whole number of ns (exact below 16 ns).</summary>
    public static double ValueOf(int index)
    {
        if (index < SubCount) return index;
        var exponent = index / SubCount + SubBits - 1;
        var sub = index % SubCount;
        var width = 1L << (exponent - SubBits);
        var lower = (1L << exponent) + sub * width;
        return lower + width / 2;
    }

    /// <summary>The figure /stats shows: for each quantile q, the value of the ⌈q·n⌉-th smallest sample.</summary>
    public static E2eLatency Summarize(long[] buckets, double[] quantiles)
    {
        long count = 0;
        foreach (var n in buckets) count += n;
        var values = new double[quantiles.Length];
        if (count > 0)
        {
            for (var q = 0; q < quantiles.Length; q++)
            {
                var rank = Math.Max(1, (long)Math.Ceiling(quantiles[q] * count));
                long seen = 0;
                for (var i = 0; i < buckets.Length; i++)
                {
                    seen += buckets[i];
                    if (seen < rank) continue;
                    values[q] = ValueOf(i);
                    break;
                }
            }
        }
        return new E2eLatency { Count = count, Quantiles = quantiles, ValuesNs = values, Buckets = buckets };
    }

    /// <summary>A topic's figure: its channels' windows added together (nsqd merges its channels' streams).</summary>
    public static E2eLatency? Merge(IEnumerable<E2eLatency?> channels, double[] quantiles)
    {
        if (quantiles.Length == 0) return null;
        var merged = new long[Count];
        foreach (var channel in channels)
        {
            if (channel is null) continue;
            for (var i = 0; i < merged.Length && i < channel.Buckets.Length; i++) merged[i] += channel.Buckets[i];
        }
        return Summarize(merged, quantiles);
    }
}
