using Orleans.Concurrency;
using OrleansNsq.Messages;

namespace OrleansNsq.Gateway.Publishing;

/// <summary>How the gateway hands a publish to its topic grain.</summary>
public static class GatewayPublish
{
    /// <summary>
    /// Written behind (<c>--mem-queue-size</c> &gt; 0) the OK waits for nothing after the accept, so the gateway asks
    /// for <see cref="ITopicGrain.TryPublishWrittenBehindAsync"/>: one grain call per batch instead of two (the
    /// interleaved <see cref="ITopicGrain.PublishAsync"/> calls the accept on the grain again). A synchronous PUB
    /// producer waits for every round trip. A durable topic refuses it without accepting, and
    /// <see cref="ITopicGrain.PublishAsync"/> follows, where batches waiting for the disk share commits; so a gateway
    /// that does not know the silos' mode (the Gateway process has no --mem-queue-size) is never wrong, only one call
    /// slower.
    /// </summary>
    /// <param name="durableHint">The caller's own --mem-queue-size is 0 (co-hosted with a durable silo), or this topic
    /// refused before: go to <see cref="ITopicGrain.PublishAsync"/> at once.</param>
    /// <returns>True when the topic turned out to be durable.</returns>
    public static async ValueTask<bool> PublishFromGatewayAsync(this ITopicGrain topic, Immutable<PublishBatch> batch, bool durableHint)
    {
        if (!durableHint && await topic.TryPublishWrittenBehindAsync(batch)) return false;
        await topic.PublishAsync(batch);
        return true;
    }
}
