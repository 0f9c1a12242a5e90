using OrleansNsq.Stats;

namespace OrleansNsq.Grains.Channels;

/// <summary>
/// A channel's publish-to-FIN latencies over the last --e2e-processing-latency-window-time, kept as nsqd keeps them:
/// two half-window histograms, the older cleared and reused each time half the window passes, so a figure covers
/// between half and all of the window.
/// </summary>
internal sealed class E2eLatencyWindow(double[] quantiles, TimeSpan window, long nowUnixNs)
{
    private readonly long[][] _halves = [new long[LatencyBuckets.Count], new long[LatencyBuckets.Count]];
    private readonly long _halfNs = Math.Max(1, window.Ticks * 100 / 2);
    private long _movedAtNs = nowUnixNs;
    private int _current;

    /// <summary>A FIN of a message published at <paramref name="timestampNs"/>.</summary>
    public void Add(long timestampNs, long nowUnixNs)
    {
        MoveTo(nowUnixNs);
        _halves[_current][LatencyBuckets.IndexOf(nowUnixNs - timestampNs)]++;
    }

    public E2eLatency Snapshot(long nowUnixNs)
    {
        MoveTo(nowUnixNs);
        var both = new long[LatencyBuckets.Count];
        for (var i = 0; i < both.Length; i++) both[i] = _halves[0][i] + _halves[1][i];
        return LatencyBuckets.Summarize(both, quantiles);
    }

    private void MoveTo(long nowUnixNs)
    {
        // Past a whole window of silence both halves are stale; more rounds than two change nothing.
        for (var round = 0; round < 2 && nowUnixNs - _movedAtNs > _halfNs; round++)
        {
            _current ^= 1;
            Array.Clear(_halves[_current]);
            _movedAtNs += _halfNs;
        }
        if (nowUnixNs - _movedAtNs > _halfNs) _movedAtNs = nowUnixNs;
    }
}
