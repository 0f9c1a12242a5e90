namespace OrleansNsq.Grains.Topics;

/// <summary>
/// A topic's message ids: one 64-bit counter, strictly increasing, kept at or above a clock-derived floor
/// <c>(unixMs − NSQ epoch) &lt;&lt; 22</c>. The floor is what keeps ids unique across reactivations without storing
/// anything: a new activation starts above every id the last one handed out unless that one averaged more than
/// 4,194,304 ids per millisecond. Like nsqd's guid.go ids, they also sort by time.
/// </summary>
internal sealed class MessageIdSequence
{
    /// <summary>nsqd/guid.go's twepoch, in ms (2010-11-04).</summary>
    public const long EpochUnixMs = 1_288_834_974_657;

    // 22 low bits: room for 4M ids per millisecond before the counter runs ahead of the clock.
    private const int ClockShift = 22;

    private long _next;

    public MessageIdSequence(long nowUnixMs) => _next = Floor(nowUnixMs);

    /// <summary>The next id that would be handed out.</summary>
    public long Next => _next;

    /// <summary>Moves the counter above <paramref name="lastUsedId"/> (the highest id in the message log).</summary>
    public void StartAbove(long lastUsedId) => _next = Math.Max(_next, lastUsedId + 1);

    /// <summary>Reserves <paramref name="count"/> consecutive ids and returns the first.</summary>
    public long Take(int count, long nowUnixMs)
    {
        var first = Math.Max(_next, Floor(nowUnixMs));
        _next = first + count;
        return first;
    }

    public static long Floor(long nowUnixMs) => Math.Max(1, nowUnixMs - EpochUnixMs) << ClockShift;
}
