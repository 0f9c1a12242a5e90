using System.Globalization;

namespace OrleansNsq.Admin.Hosting;

/// <summary>Go's time.ParseDuration for the admin's timeout flags: a sequence of number+unit ("2s", "1m30s",
/// "500ms", "1.5h"); units ns, us, µs, ms, s, m, h.</summary>
internal static class GoDurationText
{
    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (text == "0") return true;
        var ticks = 0.0;
        var i = 0;
        if (text.Length == 0) return false;
        while (i < text.Length)
        {
            var start = i;
            while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.')) i++;
            if (i == start || !double.TryParse(text.AsSpan(start, i - start), NumberStyles.Float, CultureInfo.InvariantCulture, out var number)) return false;
            var unitStart = i;
            while (i < text.Length && !char.IsAsciiDigit(text[i]) && text[i] != '.') i++;
            var perUnit = text[unitStart..i] switch
            {
                "ns" => 0.01,
                "us" or "µs" => 10.0,
                "ms" => TimeSpan.TicksPerMillisecond,
                "s" => TimeSpan.TicksPerSecond,
                "m" => TimeSpan.TicksPerMinute,
                "h" => TimeSpan.TicksPerHour,
                _ => -1.0,
            };
            if (perUnit < 0) return false;
            ticks += number * perUnit;
        }
        duration = TimeSpan.FromTicks((long)ticks);
        return true;
    }
}
