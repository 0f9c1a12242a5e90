using System.Globalization;

namespace OrleansNsq.Tools;

/// <summary>Go-style durations as NSQ's flags take them (<c>10s</c>, <c>500ms</c>, <c>1m</c>), or a .NET TimeSpan.</summary>
internal static class Durations
{
    public static TimeSpan Parse(string text)
    {
        if (text.EndsWith("ms", StringComparison.Ordinal)) return TimeSpan.FromMilliseconds(double.Parse(text[..^2], CultureInfo.InvariantCulture));
        if (text.EndsWith('s')) return TimeSpan.FromSeconds(double.Parse(text[..^1], CultureInfo.InvariantCulture));
        if (text.EndsWith('m')) return TimeSpan.FromMinutes(double.Parse(text[..^1], CultureInfo.InvariantCulture));
        if (text.EndsWith('h')) return TimeSpan.FromHours(double.Parse(text[..^1], CultureInfo.InvariantCulture));
        return TimeSpan.Parse(text, CultureInfo.InvariantCulture);
    }

    /// <summary>A duration as Go prints one in logs, to the millisecond (<c>1.5s</c>, <c>2m3.25s</c>).</summary>
    public static string Format(TimeSpan duration) => duration >= TimeSpan.FromMinutes(1)
        ? string.Create(CultureInfo.InvariantCulture, $"{(int)duration.TotalMinutes}m{duration.Seconds + duration.Milliseconds / 1000.0:0.###}s")
        : string.Create(CultureInfo.InvariantCulture, $"{duration.TotalSeconds:0.###}s");
}
