using System.Globalization;
using System.Text;

namespace OrleansNsq.Tools.ToFile;

/// <summary>
/// The strftime subset nsq_to_file's <c>--datetime-format</c> takes (default <c>%Y-%m-%d_%H</c>): %Y %y %m %d %H %I %M
/// %S %B %b %A %a %p %Z %z %%. Any other <c>%x</c> is kept as written, as NSQ keeps it.
/// </summary>
internal static class Strftime
{
    public static string Format(string format, DateTimeOffset time)
    {
        var text = new StringBuilder(format.Length + 16);
        for (var i = 0; i < format.Length; i++)
        {
            if (format[i] == '%' && i + 1 < format.Length && Directive(format[i + 1], time) is { } value)
            {
                text.Append(value);
                i++;
            }
            else
            {
                text.Append(format[i]);
            }
        }

        return text.ToString();
    }

    private static string? Directive(char directive, DateTimeOffset time) => directive switch
    {
        'Y' => time.Year.ToString("D4", CultureInfo.InvariantCulture),
        'y' => (time.Year % 100).ToString("D2", CultureInfo.InvariantCulture),
        'm' => time.Month.ToString("D2", CultureInfo.InvariantCulture),
        'd' => time.Day.ToString("D2", CultureInfo.InvariantCulture),
        'H' => time.Hour.ToString("D2", CultureInfo.InvariantCulture),
        'I' => (time.Hour % 12 == 0 ? 12 : time.Hour % 12).ToString("D2", CultureInfo.InvariantCulture),
        'M' => time.Minute.ToString("D2", CultureInfo.InvariantCulture),
        'S' => time.Second.ToString("D2", CultureInfo.InvariantCulture),
        'B' => time.ToString("MMMM", CultureInfo.InvariantCulture),
        'b' => time.ToString("MMM", CultureInfo.InvariantCulture),
        'A' => time.ToString("dddd", CultureInfo.InvariantCulture),
        'a' => time.ToString("ddd", CultureInfo.InvariantCulture),
        'p' => time.Hour < 12 ? "AM" : "PM",
        // Go prints the zone abbreviation; .NET has none, so UTC or the numeric offset stands in.
        'Z' => time.Offset == TimeSpan.Zero ? "UTC" : Offset(time.Offset),
        'z' => Offset(time.Offset),
        '%' => "%",
        _ => null,
    };

    private static string Offset(TimeSpan offset) =>
        (offset < TimeSpan.Zero ? "-" : "+") + offset.Duration().ToString("hhmm", CultureInfo.InvariantCulture);
}
