using System.Globalization;

namespace OrleansNsq.Tools.ToFile;

/// <summary>
/// nsq_to_file's <c>--filename-format</c> with the per-topic tokens already replaced: <c>&lt;TOPIC&gt;</c>,
/// <c>&lt;HOST&gt;</c> (<c>--host-identifier</c>, in which <c>&lt;SHORT_HOST&gt;</c> and <c>&lt;HOSTNAME&gt;</c> are
/// replaced; default the short host name) and <c>&lt;PID&gt;</c>. <c>&lt;DATETIME&gt;</c> and <c>&lt;REV&gt;</c> stay
/// until a file is opened.
/// </summary>
internal sealed class FileNameFormat
{
    public const string Rev = "<REV>";
    public const string DateTime = "<DATETIME>";

    private readonly string _template;

    private FileNameFormat(string template) => _template = template;

    /// <summary>
    /// Builds the topic's template, or explains why the format cannot be used: with gzip, rotation or a separate work
    /// dir a name can repeat, so <c>&lt;REV&gt;</c> must be present; otherwise it is removed (as NSQ does).
    /// </summary>
    public static FileNameFormat? TryCreate(ToFileSettings settings, string topic, string hostName, int processId, out string? problem)
    {
        var shortHost = hostName.Split('.')[0];
        var identifier = string.IsNullOrEmpty(settings.HostIdentifier)
            ? shortHost
            : settings.HostIdentifier.Replace("<SHORT_HOST>", shortHost, StringComparison.Ordinal).Replace("<HOSTNAME>", hostName, StringComparison.Ordinal);

        var format = settings.FilenameFormat;
        if (settings.Gzip || settings.RotateSize > 0 || settings.RotateInterval > TimeSpan.Zero || settings.WorkDir != settings.OutputDir)
        {
            if (!format.Contains(Rev, StringComparison.Ordinal))
            {
                problem = "missing <REV> in --filename-format when gzip, rotation, or work dir enabled";
                return null;
            }
        }
        else
        {
            format = format.Replace(Rev, string.Empty, StringComparison.Ordinal);
        }

        format = format.Replace("<TOPIC>", topic, StringComparison.Ordinal)
            .Replace("<HOST>", identifier, StringComparison.Ordinal)
            .Replace("<PID>", processId.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        if (settings.Gzip && !format.EndsWith(".gz", StringComparison.Ordinal)) format += ".gz";
        problem = null;
        return new FileNameFormat(format);
    }

    /// <summary>The name for files opened at <paramref name="now"/>, <c>&lt;REV&gt;</c> still in it; a change means rotate.</summary>
    public string NameAt(string datetimeFormat, DateTimeOffset now) =>
        _template.Replace(DateTime, Strftime.Format(datetimeFormat, now), StringComparison.Ordinal);

    /// <summary>Revision <paramref name="revision"/> of <paramref name="name"/>: <c>&lt;REV&gt;</c> becomes <c>-000042</c>.</summary>
    public static string WithRevision(string name, int revision) =>
        name.Replace(Rev, "-" + revision.ToString("D6", CultureInfo.InvariantCulture), StringComparison.Ordinal);
}
