namespace OrleansNsq.Messages;

/// <summary>A subscriber asks a channel for up to <see cref="MaxCount"/> messages: RDY as a credit. Ask only for the
/// free part of your max-in-flight (what you hold minus what you have not yet settled): that is the backpressure, and
/// the channel never leases more than asked.</summary>
/// <param name="SubscriberId">The subscription asking (one per gateway per channel, or one per
/// <c>OrleansNsq.Consumers.ChannelConsumer</c>), as registered with <see cref="IChannelGrain.SetSubscriberAsync"/>.</param>
/// <param name="MaxCount">The subscriber's free RDY credit, capped by the gateway's batch size.</param>
/// <param name="MsgTimeoutMs">In-flight timeout for what is leased (IDENTIFY msg_timeout); 0 = the node's --msg-timeout.</param>
/// <param name="WaitMs">Long poll: how long the channel may hold the call when nothing is ready. 0 = answer at once;
/// above <see cref="MaxWaitMs"/> the channel waits <see cref="MaxWaitMs"/>.</param>
[GenerateSerializer, Immutable, Alias("OrleansNsq.PullRequest")]
public readonly record struct PullRequest(
    [property: Id(0)] Guid SubscriberId,
    [property: Id(1)] int MaxCount,
    [property: Id(2)] int MsgTimeoutMs,
    [property: Id(3)] int WaitMs)
{
    /// <summary>The longest a pull waits in the channel, 20 s: Orleans' default response timeout (30 s) less 10 s for
    /// the call's way there and back on a busy silo, so a long poll answers empty instead of failing with a timeout.
    /// The channel clamps <see cref="WaitMs"/> to it; <c>ChannelConsumerOptions.PullWait</c> refuses more.</summary>
    public const int MaxWaitMs = 20_000;
}
