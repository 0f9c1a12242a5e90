namespace OrleansNsq.Grains.Topics;

/// <summary>
/// A topic's message ids: one 64-bit counter, strictly increasing and consecutive across batches, started at a
/// clock-derived floor <c>(unixMs − NSQ epoch) &lt;&lt; 22</c> (or above the message log's last id). The floor keeps ids
/// unique across reactivations without storing anything: a new activation starts above every id the last one handed
/// out unless that one averaged more than 4,194,304 ids per millisecond of its life. Consecutive ids let the message
/// log and the channels keep a backlog of many batches as one id range.
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
    public long Take(int count)
    {
        var first = _next;
        _next = first + count;
        return first;
    }

    public static long Floor(long nowUnixMs) => Math.Max(1, nowUnixMs - EpochUnixMs) << ClockShift;
}
