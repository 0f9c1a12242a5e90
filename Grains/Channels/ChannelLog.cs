using Microsoft.Extensions.Logging;

namespace OrleansNsq.Grains.Channels;

/// <summary>Channel grain events. Grain event ids: channels 3000–3099, topics 3100–3199, directory 3200–3299, embedded storage 3300–3399.</summary>
internal static partial class ChannelLog
{
    [LoggerMessage(3000, LogLevel.Debug, "Channel {Topic}/{Channel} created")]
    public static partial void Created(ILogger logger, string topic, string channel);

    [LoggerMessage(3001, LogLevel.Information, "Channel {Topic}/{Channel} deleted")]
    public static partial void Deleted(ILogger logger, string topic, string channel);

    [LoggerMessage(3002, LogLevel.Warning, "Channel {Topic}/{Channel}: forgot {Count} subscriber(s) not heard from")]
    public static partial void SubscribersForgotten(ILogger logger, string topic, string channel, int count);

    [LoggerMessage(3004, LogLevel.Information, "Channel {Topic}/{Channel} restored from the message log: {Ready} ready, {Deferred} deferred")]
    public static partial void Restored(ILogger logger, string topic, string channel, int ready, int deferred);

    [LoggerMessage(3005, LogLevel.Error, "Channel {Topic}/{Channel}: reading stored messages back from the message log failed; retrying on the next scan")]
    public static partial void RefillFailed(ILogger logger, string topic, string channel, Exception exception);

    [LoggerMessage(3003, LogLevel.Information, "Ephemeral channel {Topic}/{Channel} has no consumer left: deleting it")]
    public static partial void EphemeralAbandoned(ILogger logger, string topic, string channel);

    [LoggerMessage(3006, LogLevel.Debug, "Channel {Topic}/{Channel}: refused {Count} settlement(s) of messages not in flight under their lease token")]
    public static partial void SettlementsRefused(ILogger logger, string topic, string channel, int count);
}
