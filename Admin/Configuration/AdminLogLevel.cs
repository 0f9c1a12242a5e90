using Microsoft.Extensions.Logging;

namespace OrleansNsq.Admin.Configuration;

/// <summary>The admin's log level now (nsqadmin's numbers: 1 debug … 5 fatal), read by the logging filter of the
/// OrleansNsq.Admin categories on every log call, so PUT /config/log_level takes effect at once.</summary>
public sealed class AdminLogLevel
{
    private int _level = LogLevels.Info;

    public int Level
    {
        get => Volatile.Read(ref _level);
        set => Volatile.Write(ref _level, value);
    }

    public bool IsEnabled(LogLevel level) => level >= LogLevels.ToMicrosoft(Level);
}

/// <summary>nsqadmin's log levels (lg.LogLevel): debug=1, info=2, warn=3, error=4, fatal=5.</summary>
public static class LogLevels
{
    public const int Debug = 1;
    public const int Info = 2;

    public static bool TryParse(string text, out int level)
    {
        level = text.ToLowerInvariant() switch
        {
            "debug" => 1,
            "info" => 2,
            "warn" => 3,
            "error" => 4,
            "fatal" => 5,
            _ => 0,
        };
        return level != 0;
    }

    public static LogLevel ToMicrosoft(int level) => level switch
    {
        1 => LogLevel.Debug,
        2 => LogLevel.Information,
        3 => LogLevel.Warning,
        4 => LogLevel.Error,
        _ => LogLevel.Critical,
    };
}
