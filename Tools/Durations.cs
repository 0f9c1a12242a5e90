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
}
