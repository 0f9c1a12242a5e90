using Microsoft.Extensions.Logging;

namespace OrleansNsq.Grains.Topics;

/// <summary>Topic grain events (ids 3100–3199, see <c>ChannelLog</c>).</summary>
internal static partial class TopicLog
{
    [LoggerMessage(3100, LogLevel.Information, "Topic {Topic} created")]
    public static partial void Created(ILogger logger, string topic);

    [LoggerMessage(3101, LogLevel.Information, "Topic {Topic} deleted")]
    public static partial void Deleted(ILogger logger, string topic);

    [LoggerMessage(3102, LogLevel.Information, "Topic {Topic}: channel {Channel} created")]
    public static partial void ChannelCreated(ILogger logger, string topic, string channel);

    [LoggerMessage(3103, LogLevel.Information, "Topic {Topic}: channel {Channel} deleted")]
    public static partial void ChannelDeleted(ILogger logger, string topic, string channel);

    [LoggerMessage(3104, LogLevel.Information, "Topic {Topic} restored from storage with {ChannelCount} channel(s), paused {Paused}")]
    public static partial void Restored(ILogger logger, string topic, int channelCount, bool paused);

    [LoggerMessage(3105, LogLevel.Warning, "Topic {Topic}: handing {Count} batch(es) to channel {Channel} failed; trying again")]
    public static partial void FanOutFailed(ILogger logger, string topic, string channel, int count, Exception ex);
}
