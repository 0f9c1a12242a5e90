using OrleansNsq.Tools.Bench;

namespace OrleansNsq.Tools.Tests.Bench;

public sealed class LatencyHistogramTests
{
    [Fact]
    public void Percentiles_of_a_uniform_spread_are_within_one_bucket()
    {
        var histogram = new LatencyHistogram();
        for (long us = 1; us <= 100_000; us++) histogram.Record(us * 1000);

        Assert.Equal(100_000, histogram.Count);
        Assert.Equal(100_000_000, histogram.Max);
        AssertNear(50_000_000, histogram.ValueAt(0.50));
        AssertNear(90_000_000, histogram.ValueAt(0.90));
        AssertNear(99_000_000, histogram.ValueAt(0.99));
        Assert.Equal(100_000_000, histogram.ValueAt(1.0));
    }

    [Fact]
    public void Values_below_128_ns_are_exact()
    {
        var histogram = new LatencyHistogram();
        for (var ns = 0; ns < 128; ns++) histogram.Record(ns);
        Assert.Equal(63, histogram.ValueAt(0.5));
        Assert.Equal(127, histogram.ValueAt(1.0));
    }

    [Fact]
    public void Merged_histograms_count_both()
    {
        var a = new LatencyHistogram();
        var b = new LatencyHistogram();
        a.Record(1_000);
        b.Record(5_000_000);
        a.Add(b);
        Assert.Equal(2, a.Count);
        Assert.Equal(5_000_000, a.Max);
        AssertNear(1_000, a.ValueAt(0.5));
    }

    [Fact]
    public void Empty_histogram_reports_zero() => Assert.Equal(0, new LatencyHistogram().ValueAt(0.99));

    // A bucket is at most 1/64 of its value wide; the reported value is its upper edge.
    private static void AssertNear(long expected, long actual) =>
        Assert.InRange(actual, expected, expected + expected / 64 + 1);
}
