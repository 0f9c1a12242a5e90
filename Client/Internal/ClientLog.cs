using Microsoft.Extensions.Logging;

namespace OrleansNsq.Client.Internal;

/// <summary>The client's log messages; event ids 7000–7099 (docs/LOGGING.md).</summary>
internal static partial class ClientLog
{
    [LoggerMessage(7001, LogLevel.Information, "nsqd {Address}: subscribed to {Topic}/{Channel}")]
    public static partial void Subscribed(ILogger logger, string address, string topic, string channel);

    [LoggerMessage(7002, LogLevel.Warning, "consumer {Topic}/{Channel}: background step failed")]
    public static partial void BackgroundStepFailed(ILogger logger, Exception exception, string topic, string channel);

    [LoggerMessage(7003, LogLevel.Warning, "nsqd {Address}: reconnect failed: {Error}")]
    public static partial void ReconnectFailed(ILogger logger, string address, string error);

    [LoggerMessage(7004, LogLevel.Warning, "lookupd {Address}: lookup of {Topic} failed: {Error}")]
    public static partial void LookupFailed(ILogger logger, string address, string topic, string error);

    [LoggerMessage(7005, LogLevel.Warning, "nsqd {Address} (from lookupd): {Error}")]
    public static partial void LookedUpNodeFailed(ILogger logger, string address, string error);

    [LoggerMessage(7006, LogLevel.Debug, "nsqd {Address}: CLS: {Error}")]
    public static partial void ClsFailed(ILogger logger, string address, string error);

    [LoggerMessage(7007, LogLevel.Warning, "consumer {Topic}/{Channel}: stop cancelled with {Count} handlers running")]
    public static partial void StopCancelled(ILogger logger, string topic, string channel, int count);

    [LoggerMessage(7008, LogLevel.Warning, "message {Id} on {Topic}/{Channel}: attempts {Attempts} > max {Max}, finishing it unhandled")]
    public static partial void MaxAttemptsExceeded(ILogger logger, string id, string topic, string channel, int attempts, int max);

    [LoggerMessage(7009, LogLevel.Warning, "message {Id} on {Topic}/{Channel}: handler failed (attempt {Attempts})")]
    public static partial void HandlerFailed(ILogger logger, Exception exception, string id, string topic, string channel, int attempts);

    [LoggerMessage(7010, LogLevel.Warning, "message {Id}: could not answer: {Error}")]
    public static partial void AnswerFailed(ILogger logger, string id, string error);

    [LoggerMessage(7011, LogLevel.Information, "consumer {Topic}/{Channel}: backoff over")]
    public static partial void BackoffOver(ILogger logger, string topic, string channel);

    [LoggerMessage(7012, LogLevel.Warning, "consumer {Topic}/{Channel}: backing off for {Duration} (level {Level})")]
    public static partial void BackingOff(ILogger logger, string topic, string channel, TimeSpan duration, int level);

    [LoggerMessage(7013, LogLevel.Warning, "nsqd {Address}: consumer connection closed{Error}")]
    public static partial void ConsumerConnectionClosed(ILogger logger, string address, string error);

    [LoggerMessage(7014, LogLevel.Warning, "nsqd {Address}: {Error}")]
    public static partial void ErrorFrame(ILogger logger, string address, string error);

    [LoggerMessage(7015, LogLevel.Debug, "nsqd {Address}: {Error}; the connection is closed")]
    public static partial void FatalErrorFrame(ILogger logger, string address, string error);

    [LoggerMessage(7016, LogLevel.Warning, "nsqd {Address}: connection lost: {Error}")]
    public static partial void ConnectionLost(ILogger logger, string address, string error);

    [LoggerMessage(7017, LogLevel.Information, "nsqd {Address}: reconnecting producer connection")]
    public static partial void ProducerReconnecting(ILogger logger, string address);

    [LoggerMessage(7018, LogLevel.Warning, "nsqd {Address}: a ConnectionStateChanged handler failed on {State}")]
    public static partial void StateHandlerFailed(ILogger logger, Exception exception, string address, NsqConnectionState state);

    [LoggerMessage(7019, LogLevel.Warning, "message {Id} on {Topic}/{Channel}: attempt {Attempts} was the last, parked in {DeadLetterTopic}")]
    public static partial void DeadLettered(ILogger logger, string id, string topic, string channel, int attempts, string deadLetterTopic);

    [LoggerMessage(7020, LogLevel.Warning, "message {Id}: parking in {DeadLetterTopic} on nsqd {Address} failed, requeued instead: {Error}")]
    public static partial void DeadLetterFailed(ILogger logger, string id, string deadLetterTopic, string address, string error);
}
