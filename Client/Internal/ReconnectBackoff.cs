namespace OrleansNsq.Client.Internal;

/// <summary>
/// The wait before dial <c>attempt</c> (1, 2, …) of a lost nsqd: <c>initial × 2^(attempt−1)</c>, capped at
/// <c>max</c>, then drawn at random between half of that and all of it ("equal jitter"), so that consumers that lost
/// the same nsqd at the same moment do not all dial it again at the same moment, and none waits less than half.
/// </summary>
internal static class ReconnectBackoff
{
    /// <param name="attempt">1 for the first dial after the loss.</param>
    /// <param name="initial">The first step (before jitter).</param>
    /// <param name="max">The cap (before jitter).</param>
    /// <param name="random">A draw in [0, 1).</param>
    public static TimeSpan Delay(int attempt, TimeSpan initial, TimeSpan max, double random)
    {
        var ceiling = Math.Min(initial.TotalMilliseconds * Math.Pow(2, Math.Clamp(attempt - 1, 0, 30)), max.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(ceiling / 2 + ceiling / 2 * random);
    }
}
