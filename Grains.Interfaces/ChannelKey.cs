using OrleansNsq.Protocol;

namespace OrleansNsq;

/// <summary>
/// The string key of an <see cref="IChannelGrain"/>: <c>topic/channel</c>. '/' cannot occur in an NSQ name
/// (<see cref="NsqNames"/>: <c>[.a-zA-Z0-9_-]+(#ephemeral)?</c>), so the split is unambiguous; the grains refuse a
/// key whose parts are not valid names.
/// </summary>
public static class ChannelKey
{
    /// <summary>The channel grain's key, <c>topic/channel</c>, of two valid names (not checked here).</summary>
    public static string Of(string topic, string channel) => string.Concat(topic, "/", channel);

    /// <summary>Splits a channel grain's key into its topic and channel names; false unless both are valid NSQ
    /// names.</summary>
    public static bool TryParse(string key, out string topic, out string channel)
    {
        var slash = key.IndexOf('/');
        topic = slash < 0 ? "" : key[..slash];
        channel = slash < 0 ? "" : key[(slash + 1)..];
        return NsqNames.IsValid(topic) && NsqNames.IsValid(channel);
    }

    /// <summary>The grain of channel <paramref name="channel"/> of <paramref name="topic"/> (no call is made; create it
    /// with <see cref="ITopicGrain.CreateChannelAsync"/>). Throws <see cref="ArgumentException"/> for a name that is
    /// not NSQ's.</summary>
    public static IChannelGrain Channel(this IGrainFactory grains, string topic, string channel)
    {
        NsqNames.ThrowIfInvalid(topic);
        NsqNames.ThrowIfInvalid(channel);
        return grains.GetGrain<IChannelGrain>(Of(topic, channel));
    }

    /// <summary>The grain of topic <paramref name="topic"/> (no call is made; a publish creates the topic). Throws
    /// <see cref="ArgumentException"/> for a name that is not NSQ's.</summary>
    public static ITopicGrain Topic(this IGrainFactory grains, string topic)
    {
        NsqNames.ThrowIfInvalid(topic);
        return grains.GetGrain<ITopicGrain>(topic);
    }

    /// <summary>The one topic directory grain (key 0).</summary>
    public static ITopicDirectoryGrain TopicDirectory(this IGrainFactory grains) => grains.GetGrain<ITopicDirectoryGrain>(0);

    /// <summary>The channel as its topic calls it (the grains' own traffic).</summary>
    internal static IChannelFeedGrain ChannelFeed(this IGrainFactory grains, string topic, string channel) =>
        grains.GetGrain<IChannelFeedGrain>(Of(topic, channel));

    /// <summary>The topic directory as topics report to it (the grains' own traffic).</summary>
    internal static ITopicDirectoryFeedGrain TopicDirectoryFeed(this IGrainFactory grains) =>
        grains.GetGrain<ITopicDirectoryFeedGrain>(0);

    /// <summary>The registrations of nsqd nodes that connected to lookupd's TCP port (the gateway's traffic).</summary>
    internal static IExternalProducerDirectoryGrain ExternalProducers(this IGrainFactory grains) =>
        grains.GetGrain<IExternalProducerDirectoryGrain>(0);
}
