using Microsoft.Extensions.Logging;

namespace OrleansNsq.Consumers;

/// <summary>The consumer engine's log events (5001–5099).</summary>
internal static partial class PumpLog
{
    [LoggerMessage(5001, LogLevel.Warning, "Pull from channel {Topic}/{Channel} failed; retrying")]
    public static partial void PullFailed(ILogger logger, string topic, string channel, Exception ex);

    [LoggerMessage(5002, LogLevel.Warning, "Settling {Count} messages on {Topic}/{Channel} failed; they will time out and be delivered again")]
    public static partial void SettleFailed(ILogger logger, string topic, string channel, int count, Exception ex);

    [LoggerMessage(5003, LogLevel.Warning, "Reporting the consumers of {Topic}/{Channel} failed; the count is repeated later, and the channel forgets a silent subscriber after its idle timeout")]
    public static partial void ReportFailed(ILogger logger, string topic, string channel, Exception ex);

    [LoggerMessage(5004, LogLevel.Debug, "Cancelling the pull on {Topic}/{Channel} failed; it ends by itself")]
    public static partial void CancelPullFailed(ILogger logger, string topic, string channel, Exception ex);

    [LoggerMessage(5005, LogLevel.Debug, "Channel {Topic}/{Channel} refused {Count} settlements: their leases had ended there (a failover or a timeout)")]
    public static partial void SettlementsRefused(ILogger logger, string topic, string channel, int count);

    [LoggerMessage(5006, LogLevel.Information, "Channel {Topic}/{Channel} was unknown where it lives now (its silo failed and it was not saved): subscribed again")]
    public static partial void Resubscribed(ILogger logger, string topic, string channel);

    [LoggerMessage(5007, LogLevel.Warning, "Subscribing again to {Topic}/{Channel} failed; retrying")]
    public static partial void ResubscribeFailed(ILogger logger, string topic, string channel, Exception ex);

    [LoggerMessage(5008, LogLevel.Warning, "A Resubscribed handler of {Topic}/{Channel} threw; ignored")]
    public static partial void ResubscribedHandlerFailed(ILogger logger, string topic, string channel, Exception ex);
}
