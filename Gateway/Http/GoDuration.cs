using System.Globalization;
using System.Text;

namespace OrleansNsq.Gateway.Http;

/// <summary>Go's <c>time.Duration</c> as nsqd shows it: integer nanoseconds in JSON (/info, /config), and
/// <c>Duration.String()</c> ("1h2m3.5s", "150ms", "0s") in the /stats text format.</summary>
internal static class GoDuration
{
    private const long NanosPerTick = 1_000_000 / TimeSpan.TicksPerMillisecond;
    private const long Microsecond = 1_000;
    private const long Millisecond = 1_000_000;
    private const long Second = 1_000_000_000;

    public static long Nanoseconds(TimeSpan duration) => duration.Ticks * NanosPerTick;

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
