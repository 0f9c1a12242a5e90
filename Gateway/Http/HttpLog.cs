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

    /// <summary>Once per episode: the first unanswered call of a read after it last answered.</summary>
    [LoggerMessage(4002, LogLevel.Warning, "The cluster did not answer {Read} within {Bound}; the HTTP APIs answer from this gateway's last copy, marked X-NSQ-Stale, until it does")]
    public static partial void ReadUnanswered(ILogger logger, string read, TimeSpan bound, Exception exception);

    [LoggerMessage(4003, LogLevel.Information, "The cluster answers {Read} again")]
    public static partial void ClusterAnswersAgain(ILogger logger, string read);

    /// <summary>Once per episode, as <see cref="ReadUnanswered"/>.</summary>
    [LoggerMessage(4004, LogLevel.Warning, "The cluster did not answer {Write} within {Bound}; they are answered 503 CLUSTER_UNAVAILABLE until it does")]
    public static partial void WriteUnanswered(ILogger logger, string write, TimeSpan bound, Exception exception);
}
