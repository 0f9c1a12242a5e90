using Orleans.Concurrency;
using OrleansNsq.Messages;

namespace OrleansNsq.Gateway.Publishing;

/// <summary>How the gateway hands a publish to its topic grain.</summary>
public static class GatewayPublish
{
    /// <summary>
    /// Written behind (<c>--mem-queue-size</c> &gt; 0) the OK waits for nothing after the accept, so the gateway calls
    /// <see cref="ITopicGrain.AcceptPublishAsync"/> itself: one grain call per batch instead of two (the interleaved
    /// <see cref="ITopicGrain.PublishAsync"/> calls the accept on the grain again). A synchronous PUB producer waits
    /// for every round trip. In durable mode, <see cref="ITopicGrain.PublishAsync"/> lets batches waiting for the disk
    /// share commits. A ticket from a durable topic behind a gateway configured otherwise is still waited for.
    /// </summary>
    public static async ValueTask PublishFromGatewayAsync(this ITopicGrain topic, Immutable<PublishBatch> batch, bool writtenBehind)
    {
        if (!writtenBehind)
        {
            await topic.PublishAsync(batch);
            return;
        }
        var ticket = await topic.AcceptPublishAsync(batch);
        if (ticket > 0) await topic.WhenDurableAsync(ticket);
    }
}
