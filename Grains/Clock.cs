namespace OrleansNsq.Grains;

/// <summary>The two time units the grains speak: Unix milliseconds for deadlines, Unix nanoseconds for NSQ's
/// message timestamp (the frame's <c>[i64 timestamp ns]</c>).</summary>
internal static class Clock
{
    public static long UnixMs(this TimeProvider time) => time.GetUtcNow().ToUnixTimeMilliseconds();

    // DateTimeOffset ticks are 100 ns; nsqd's timestamp is time.Now().UnixNano().
    public static long UnixNs(this TimeProvider time) =>
        (time.GetUtcNow().UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;
}
