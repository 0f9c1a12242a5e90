using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansNsq.Gateway.Connections;
using OrleansNsq.Gateway.Options;

namespace OrleansNsq.Gateway.Subscriptions;

/// <summary>
/// One <see cref="ChannelSubscription"/> per channel that has consumers on this gateway: the first SUB creates it, the
/// last consumer to leave stops it.
/// </summary>
internal sealed class SubscriptionRegistry(
    IGrainFactory grains,
    IOptions<SubscriptionOptions> options,
    IOptions<NsqdOptions> nsqd,
    TimeProvider time,
    ILogger<ChannelSubscription> logger)
{
    private readonly Dictionary<string, ChannelSubscription> _subscriptions = new(StringComparer.Ordinal);

    /// <summary>Local consumers of a channel (for --max-channel-consumers).</summary>
    public int ConsumerCount(string topic, string channel)
    {
        lock (_subscriptions)
            return _subscriptions.TryGetValue(ChannelKey.Of(topic, channel), out var s) ? s.ConsumerCount : 0;
    }

    public ChannelSubscription Join(string topic, string channel, ClientSession consumer)
    {
        var key = ChannelKey.Of(topic, channel);
        ChannelSubscription? subscription;
        var created = false;
        lock (_subscriptions)
        {
            // A subscription that found its channel deleted refuses new consumers while its old ones are leaving.
            if (!_subscriptions.TryGetValue(key, out subscription) || !subscription.TryAdd(consumer))
            {
                subscription = new ChannelSubscription(topic, channel, grains, options.Value,
                    (long)nsqd.Value.MaxMsgTimeout.TotalMilliseconds, time, logger);
                _subscriptions[key] = subscription;
                created = true;
                subscription.TryAdd(consumer);
            }
        }
        if (created) subscription.Start();
        return subscription;
    }

    public void Leave(ChannelSubscription subscription, ClientSession consumer)
    {
        bool last;
        lock (_subscriptions)
        {
            last = subscription.Remove(consumer) == 0;
            // The key may name a newer subscription by now (see Join).
            var key = ChannelKey.Of(subscription.Topic, subscription.Channel);
            if (last && _subscriptions.TryGetValue(key, out var current) && current == subscription)
                _subscriptions.Remove(key);
        }
        if (last) _ = subscription.StopAsync();
    }
}
