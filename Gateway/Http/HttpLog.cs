using System.Net;
using Microsoft.Extensions.Logging;

namespace OrleansNsq.Gateway.Http;

/// <summary>Log events of the HTTP APIs (event ids 4000–4099).</summary>
internal static partial class HttpLog
{
    /// <summary>nsqd logs every API request at INFO; we keep it at Debug (client traffic).</summary>
    [LoggerMessage(4000, LogLevel.Debug, "{Status} {Method} {Path} ({Remote})")]
    public static partial void Request(ILogger logger, int status, string method, string path, IPAddress? remote);

    [LoggerMessage(4001, LogLevel.Error, "HTTP handler for {Method} {Path} failed")]
    public static partial void HandlerFailed(ILogger logger, string method, string path, Exception exception);
}
