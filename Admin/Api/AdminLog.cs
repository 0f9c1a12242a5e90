using Microsoft.Extensions.Logging;

namespace OrleansNsq.Admin.Api;

/// <summary>The admin's log lines (event ids 1–19; the Fleet's SiloDirectory uses 1 in its own category).</summary>
internal static partial class AdminLog
{
    [LoggerMessage(2, LogLevel.Error, "{What} - {Error}")]
    public static partial void UpstreamFailed(ILogger logger, string what, string error);

    [LoggerMessage(3, LogLevel.Warning, "{Errors}")]
    public static partial void Partial(ILogger logger, string errors);

    [LoggerMessage(4, LogLevel.Information, "admin action {Action} topic {Topic} {Detail}")]
    public static partial void Action(ILogger logger, string action, string topic, string detail);

    [LoggerMessage(5, LogLevel.Error, "graphite request failed - no --graphite-url")]
    public static partial void NoGraphite(ILogger logger);
}
