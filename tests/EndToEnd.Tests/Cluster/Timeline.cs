using System.Collections.Concurrent;
using System.Diagnostics;

namespace OrleansNsq.EndToEnd.Tests.Cluster;

/// <summary>
/// When things first happened in a test, on one monotonic clock, printed relative to the moment of the cut
/// (<see cref="MarkCut"/>). Only the first occurrence of an event is kept; its detail says what was seen then.
/// </summary>
internal sealed class Timeline
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly ConcurrentDictionary<string, (TimeSpan At, string Detail)> _events = new();
    private TimeSpan? _cut;

    public TimeSpan Now => _clock.Elapsed;

    public bool IsCut => _cut is not null;

    /// <summary>Now, counted from the cut (from the start before it).</summary>
    public TimeSpan FromCut => Now - (_cut ?? TimeSpan.Zero);

    public void MarkCut()
    {
        var at = Now;
        var wallClock = DateTime.UtcNow;
        _cut = at;
        _events.TryAdd("cut", (at, $"{wallClock:HH:mm:ss.fff} UTC, the clock of the silos' output"));
    }

    /// <summary>Records <paramref name="what"/> now, unless it was recorded before.</summary>
    public void Mark(string what, string detail = "") => _events.TryAdd(what, (Now, detail));

    /// <summary>When <paramref name="what"/> happened, counted from the cut; null when it has not (or there was no cut).</summary>
    public TimeSpan? SinceCut(string what) =>
        _cut is { } cut && _events.TryGetValue(what, out var e) ? e.At - cut : null;

    /// <summary>What was seen when <paramref name="what"/> happened; null when it has not.</summary>
    public string? DetailOf(string what) => _events.TryGetValue(what, out var e) ? e.Detail : null;

    /// <summary>Every event in order, one a line: seconds from the cut, the event, what was seen; then each of
    /// <paramref name="awaited"/> that did not happen.</summary>
    public string Describe(params string[] awaited)
    {
        var origin = _cut ?? TimeSpan.Zero;
        var lines = _events.OrderBy(e => e.Value.At).Select(e =>
            $"{(e.Value.At - origin).TotalSeconds,9:+0.000;-0.000} s  {e.Key}{(e.Value.Detail.Length > 0 ? ": " + e.Value.Detail : "")}");
        var missing = awaited.Where(what => !_events.ContainsKey(what)).Select(what => $"{"never",11}  {what}");
        return "--- timeline (seconds from the cut) ---" + Environment.NewLine + string.Join(Environment.NewLine, lines.Concat(missing));
    }
}
