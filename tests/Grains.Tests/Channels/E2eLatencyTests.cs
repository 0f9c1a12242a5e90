namespace OrleansNsq.Grains.Tests.Channels;

/// <summary>e2e_processing_latency: publish-to-FIN latencies kept per channel over a window of two halves.</summary>
public class E2eLatencyTests
{
    private const long Second = 1_000_000_000;
    private static readonly double[] Quantiles = [1.0, 0.99, 0.5];

    [Theory]
    [InlineData(0L)]
    [InlineData(15L)]
    [InlineData(16L)]
    [InlineData(1_000L)]
    [InlineData(123_456_789L)]
    [InlineData(3_600_000_000_000L)]
    [InlineData(long.MaxValue)]
    public void A_bucket_reads_back_within_3_2_percent_of_the_value(long ns)
    {
        var read = LatencyBuckets.ValueOf(LatencyBuckets.IndexOf(ns));

        Assert.InRange(read, ns - ns * 0.032 - 1, ns + ns * 0.032 + 1);
    }

    [Fact]
    public void Each_quantile_is_the_value_at_its_rank_highest_first()
    {
        var window = new E2eLatencyWindow(Quantiles, TimeSpan.FromMinutes(10), nowUnixNs: 0);
        // 100 FINs: latencies 1..100 ms.
        for (var ms = 1; ms <= 100; ms++) window.Add(timestampNs: 0, nowUnixNs: ms * 1_000_000L);

        var figure = window.Snapshot(100 * 1_000_000L);

        Assert.Equal(100, figure.Count);
        Assert.Equal(Quantiles, figure.Quantiles);
        Assert.InRange(figure.ValuesNs[0], 100e6 * 0.968, 100e6 * 1.032);
        Assert.InRange(figure.ValuesNs[1], 99e6 * 0.968, 99e6 * 1.032);
        Assert.InRange(figure.ValuesNs[2], 50e6 * 0.968, 50e6 * 1.032);
    }

    [Fact]
    public void Latencies_older_than_the_window_are_forgotten_half_a_window_at_a_time()
    {
        var window = new E2eLatencyWindow(Quantiles, TimeSpan.FromSeconds(10), nowUnixNs: 0);
        window.Add(0, 1 * Second);        // first half
        window.Add(0, 6 * Second);        // second half

        Assert.Equal(2, window.Snapshot(9 * Second).Count);
        Assert.Equal(1, window.Snapshot(11 * Second).Count);   // the first half was cleared for the third
        Assert.Equal(0, window.Snapshot(40 * Second).Count);   // a whole window of silence
        Assert.Equal([0.0, 0.0, 0.0], window.Snapshot(40 * Second).ValuesNs);
    }

    [Fact]
    public void A_topics_figure_merges_its_channels_windows()
    {
        var a = new E2eLatencyWindow(Quantiles, TimeSpan.FromMinutes(10), 0);
        var b = new E2eLatencyWindow(Quantiles, TimeSpan.FromMinutes(10), 0);
        a.Add(0, 10_000_000);
        b.Add(0, 1_000_000_000);

        var topic = LatencyBuckets.Merge([a.Snapshot(Second), b.Snapshot(Second), null], Quantiles)!;

        Assert.Equal(2, topic.Count);
        Assert.InRange(topic.ValuesNs[0], 0.968e9, 1.032e9);
        Assert.InRange(topic.ValuesNs[2], 0.968e7, 1.032e7);
        Assert.Null(LatencyBuckets.Merge([a.Snapshot(Second)], []));
    }

    [Fact]
    public void Only_a_fin_counts_not_a_req_a_touch_or_a_release()
    {
        var queue = new ChannelQueue(5_000) { Latency = new E2eLatencyWindow(Quantiles, TimeSpan.FromMinutes(10), 0) };
        queue.Enqueue([Segments.Of(1, 4)], 1_000);
        queue.Lease(4, 1_000, 1_000);
        var now = Segments.TimestampNs + 250_000_000; // 250 ms after publish

        queue.Settle([Segments.Settle(queue, 1, SettlementKind.Finish), Segments.Settle(queue, 2, SettlementKind.Requeue),
            Segments.Settle(queue, 3, SettlementKind.Touch, 1_000), Segments.Settle(queue, 4, SettlementKind.Release)], 1_000, now);

        var figure = queue.Latency.Snapshot(now);
        Assert.Equal(1, figure.Count);
        Assert.InRange(figure.ValuesNs[0], 250e6 * 0.968, 250e6 * 1.032);
    }
}
