using System.Globalization;

namespace OrleansNsq.Tools.ToFile;

/// <summary>Log levels of NSQ's tools (internal/lg), lowest first.</summary>
internal enum ToFileLogLevel
{
    Debug,
    Info,
    Warn,
    Error,
    Fatal,
}

/// <summary>
/// The person-readable lines nsq_to_file writes to stderr, in NSQ's shape:
/// <c>[nsq_to_file] 2026/11/25 22:10:18.123456 INFO: [topic/channel] opening /tmp/…</c>.
/// </summary>
internal sealed class ToFileLog(TextWriter output, string prefix, ToFileLogLevel level)
{
    private readonly object _gate = new();

    public static bool TryParseLevel(string text, out ToFileLogLevel level)
    {
        level = text.ToLowerInvariant() switch
        {
            "debug" => ToFileLogLevel.Debug,
            "info" => ToFileLogLevel.Info,
            "warn" => ToFileLogLevel.Warn,
            "error" => ToFileLogLevel.Error,
            "fatal" => ToFileLogLevel.Fatal,
            _ => (ToFileLogLevel)(-1),
        };
        return level >= ToFileLogLevel.Debug;
    }

    public void Debug(string text) => Write(ToFileLogLevel.Debug, text);

    public void Info(string text) => Write(ToFileLogLevel.Info, text);

    public void Warn(string text) => Write(ToFileLogLevel.Warn, text);

    public void Error(string text) => Write(ToFileLogLevel.Error, text);

    public void Fatal(string text) => Write(ToFileLogLevel.Fatal, text);

    private void Write(ToFileLogLevel at, string text)
    {
        if (at < level) return;
        var time = DateTime.Now.ToString("yyyy/MM/dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture);
        var name = at == ToFileLogLevel.Warn ? "WARNING" : at.ToString().ToUpperInvariant();
        lock (_gate)
        {
            output.WriteLine($"{prefix}{time} {name}: {text}");
            output.Flush();
        }
    }
}
