namespace OrleansNsq;

/// <summary>
/// The string key of an <see cref="IChannelGrain"/>: <c>topic/channel</c>. '/' cannot occur in an NSQ name
/// (<c>[.a-zA-Z0-9_-]+(#ephemeral)?</c>), so the split is unambiguous.
/// </summary>
public static class ChannelKey
{
    /// <summary>The channel grain's key, <c>topic/channel</c>.</summary>
    public static string Of(string topic, string channel) => string.Concat(topic, "/", channel);

    /// <summary>Splits a channel grain's key into its topic and channel names.</summary>
    public static (string Topic, string Channel) Parse(string key)
    {
        var slash = key.IndexOf('/');
        return (key[..slash], key[(slash + 1)..]);
    }

    /// <summary>The grain of channel <paramref name="channel"/> of <paramref name="topic"/> (no call is made; create it
    /// with <see cref="ITopicGrain.CreateChannelAsync"/>).</summary>
    public static IChannelGrain Channel(this IGrainFactory grains, string topic, string channel) =>
        grains.GetGrain<IChannelGrain>(Of(topic, channel));

    /// <summary>The grain of topic <paramref name="topic"/> (no call is made; a publish creates the topic).</summary>
    public static ITopicGrain Topic(this IGrainFactory grains, string topic) => grains.GetGrain<ITopicGrain>(topic);

    /// <summary>The one topic directory grain (key 0).</summary>
    public static ITopicDirectoryGrain TopicDirectory(this IGrainFactory grains) => grains.GetGrain<ITopicDirectoryGrain>(0);

    public static IExternalProducerDirectoryGrain ExternalProducers(this IGrainFactory grains) =>
        grains.GetGrain<IExternalProducerDirectoryGrain>(0);

    /// <summary>NSQ's <c>#ephemeral</c> suffix.</summary>
    public static bool IsEphemeral(string name) => name.EndsWith("#ephemeral", StringComparison.Ordinal);
}
