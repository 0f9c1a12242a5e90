using System.Globalization;
using System.Numerics;
using System.Text.Json;

namespace OrleansNsq.Tools.Bench;

/// <summary>
/// Fixed buckets over nanoseconds, laid out as HdrHistogram lays them out: values below 128 exactly, above that 64
/// buckets per power of two, so a bucket is at most 1/64 (1.6%) wide relative to its value. 64 × 64 buckets reach
/// past 2^62 ns. Recording is an index computation and an increment: nothing is allocated per message. One histogram
/// per consumer connection (no sharing), merged at the end.
/// </summary>
internal sealed class LatencyHistogram
{
    private const int SubBucketHalf = 64;
    private const int Buckets = 64 * SubBucketHalf;
    private readonly long[] _counts = new long[Buckets];

    public long Count { get; private set; }
    public long Max { get; private set; }

    public void Record(long nanoseconds)
    {
        if (nanoseconds < 0) nanoseconds = 0;
        _counts[Index(nanoseconds)]++;
        Count++;
        if (nanoseconds > Max) Max = nanoseconds;
    }

    public void Add(LatencyHistogram other)
    {
        for (var i = 0; i < Buckets; i++) _counts[i] += other._counts[i];
        Count += other.Count;
        Max = Math.Max(Max, other.Max);
    }

    /// <summary>The value at <paramref name="quantile"/> (0..1): the upper edge of the bucket holding it, capped at <see cref="Max"/>.</summary>
    public long ValueAt(double quantile)
    {
        if (Count == 0) return 0;
        var rank = (long)Math.Ceiling(quantile * Count);
        if (rank < 1) rank = 1;
        long seen = 0;
        for (var i = 0; i < Buckets; i++)
        {
            seen += _counts[i];
            if (seen >= rank) return Math.Min(UpperEdge(i), Max);
        }
        return Max;
    }

    /// <summary><c>p50 63.0us - p90 80.0us - p99 130.0us - max 900.0us</c>.</summary>
    public string ToText() => string.Create(CultureInfo.InvariantCulture,
        $"p50 {Microseconds(ValueAt(0.50)):F1}us - p90 {Microseconds(ValueAt(0.90)):F1}us - p99 {Microseconds(ValueAt(0.99)):F1}us - max {Microseconds(Max):F1}us");

    /// <summary><c>"name": {"count", "p50", "p90", "p99", "max"}</c> in microseconds.</summary>
    public void WriteJson(Utf8JsonWriter writer, string name)
    {
        writer.WriteStartObject(name);
        writer.WriteNumber("count", Count);
        writer.WriteNumber("p50", Microseconds(ValueAt(0.50)));
        writer.WriteNumber("p90", Microseconds(ValueAt(0.90)));
        writer.WriteNumber("p99", Microseconds(ValueAt(0.99)));
        writer.WriteNumber("max", Microseconds(Max));
        writer.WriteEndObject();
    }

    private static double Microseconds(long nanoseconds) => Math.Round(nanoseconds / 1000.0, 1);

    private static int Index(long value)
    {
        if (value < 2 * SubBucketHalf) return (int)value;
        var shift = BitOperations.Log2((ulong)value) - 6;
        return shift * SubBucketHalf + (int)(value >> shift);
    }

    private static long UpperEdge(int index)
    {
        if (index < 2 * SubBucketHalf) return index;
        var shift = index / SubBucketHalf - 1;
        var mantissa = index % SubBucketHalf + SubBucketHalf;
        return ((long)(mantissa + 1) << shift) - 1;
    }
}
