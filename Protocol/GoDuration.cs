using System.Globalization;
using System.Text;

namespace OrleansNsq.Protocol;

/// <summary>
/// Go's <c>time.Duration</c> as NSQ's programs read and show it: parsed from flags and config values
/// (<c>time.ParseDuration</c>: "1h0m0s", "1.5s", "250ms", "1us"; also a .NET TimeSpan "00:01:00"), integer nanoseconds
/// in JSON (/info, /config, IDENTIFY), and <c>Duration.String()</c> ("1h2m3.5s", "150ms", "0s") in text.
/// </summary>
public static class GoDuration
{
    private const long NanosPerTick = 1_000_000 / TimeSpan.TicksPerMillisecond;
    private const long Microsecond = 1_000;
    private const long Millisecond = 1_000_000;
    private const long Second = 1_000_000_000;

    /// <summary>Go's ParseDuration: an optional sign, then one or more decimal numbers each with a unit (ns, us, µs,
    /// ms, s, m, h); "0" alone needs none. A text with ':' is read as a .NET TimeSpan.</summary>
    public static bool TryParse(string text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (text.Contains(':')) return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out value);
        var i = 0;
        var negative = false;
        if (text.Length > 0 && (text[0] == '-' || text[0] == '+'))
        {
            negative = text[0] == '-';
            i = 1;
        }
        if (text.AsSpan(i) is "0") return true;
        if (i == text.Length) return false;
        double totalMs = 0;
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
                "us" or "µs" or "μs" => 1e-3,
                "ms" => 1,
                "s" => 1000,
                "m" => 60_000,
                "h" => 3_600_000,
                _ => null,
            };
            if (unitMs is null) return false;
            totalMs += number * unitMs.Value;
        }
        value = TimeSpan.FromMilliseconds(negative ? -totalMs : totalMs);
        return true;
    }

    /// <summary><see cref="TryParse"/>, or a <see cref="FormatException"/> naming the text.</summary>
    public static TimeSpan Parse(string text) =>
        TryParse(text, out var value) ? value : throw new FormatException($"time: invalid duration \"{text}\"");

    /// <summary>Whole nanoseconds, as Go's JSON encodes a Duration.</summary>
    public static long Nanoseconds(TimeSpan duration) => duration.Ticks * NanosPerTick;

    /// <summary>Go's <c>Duration.String()</c>.</summary>
    public static string Format(TimeSpan duration)
    {
        var ns = Nanoseconds(duration);
        if (ns == 0) return "0s";
        var text = new StringBuilder();
        if (ns < 0)
        {
            text.Append('-');
            ns = -ns;
        }
        if (ns < Microsecond) return text.Append(ns).Append("ns").ToString();
        if (ns < Millisecond) return AppendFraction(text, ns, Microsecond).Append("µs").ToString();
        if (ns < Second) return AppendFraction(text, ns, Millisecond).Append("ms").ToString();

        var hours = ns / (3600 * Second);
        ns -= hours * 3600 * Second;
        var minutes = ns / (60 * Second);
        ns -= minutes * 60 * Second;
        if (hours > 0) text.Append(hours).Append('h');
        if (hours > 0 || minutes > 0) text.Append(minutes).Append('m');
        return AppendFraction(text, ns, Second).Append('s').ToString();
    }

    /// <summary><paramref name="value"/> / <paramref name="unit"/> with the fraction's trailing zeros dropped.</summary>
    private static StringBuilder AppendFraction(StringBuilder text, long value, long unit)
    {
        text.Append((value / unit).ToString(CultureInfo.InvariantCulture));
        var fraction = value % unit;
        if (fraction == 0) return text;
        var digits = unit.ToString(CultureInfo.InvariantCulture).Length - 1;
        return text.Append('.').Append(fraction.ToString(CultureInfo.InvariantCulture).PadLeft(digits, '0').TrimEnd('0'));
    }
}
