using System.Globalization;

namespace OrleansNsq.Gateway.Flags;

/// <summary>Go's time.ParseDuration subset nsqd flags use: a sequence of decimal numbers with units
/// ns, us, µs, ms, s, m, h ("1h0m0s", "1.5s", "250ms"); also accepts a .NET TimeSpan ("00:01:00").</summary>
public static class GoDuration
{
    public static bool TryParse(string text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (text.Contains(':')) return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out value);
        if (text == "0") return true;
        double totalMs = 0;
        var i = 0;
        if (text.Length == 0) return false;
        while (i < text.Length)
        {
            var start = i;
            while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.')) i++;
            if (start == i || !double.TryParse(text.AsSpan(start, i - start), NumberStyles.AllowDecimalPoint,
                    CultureInfo.InvariantCulture, out var number)) return false;
            var unitStart = i;
            while (i < text.Length && !char.IsAsciiDigit(text[i]) && text[i] != '.') i++;
            double? unitMs = text.AsSpan(unitStart, i - unitStart) switch
            {
                "ns" => 1e-6,
                "us" or "µs" => 1e-3,
                "ms" => 1,
                "s" => 1000,
                "m" => 60_000,
                "h" => 3_600_000,
                _ => null,
            };
            if (unitMs is null) return false;
            totalMs += number * unitMs.Value;
        }
        value = TimeSpan.FromMilliseconds(totalMs);
        return true;
    }
}
