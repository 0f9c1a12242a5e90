namespace OrleansNsq.Messages;

/// <summary>A subscriber asks a channel for up to <see cref="MaxCount"/> messages.</summary>
/// <param name="SubscriberId">The gateway subscription asking (one per gateway per channel).</param>
/// <param name="MaxCount">The subscriber's free RDY credit, capped by the gateway's batch size.</param>
/// <param name="MsgTimeoutMs">In-flight timeout for what is leased (IDENTIFY msg_timeout).</param>
/// <param name="WaitMs">Long poll: how long the channel may hold the call when nothing is ready. 0 = answer at once.</param>
[GenerateSerializer, Immutable, Alias("OrleansNsq.PullRequest")]
public readonly record struct PullRequest(
    [property: Id(0)] Guid SubscriberId,
    [property: Id(1)] int MaxCount,
    [property: Id(2)] int MsgTimeoutMs,
    [property: Id(3)] int WaitMs);
