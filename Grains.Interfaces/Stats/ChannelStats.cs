namespace OrleansNsq.Stats;

/// <summary>A channel's counters as nsqd's /stats reports them (NSQ-REFERENCE §5, §8).</summary>
[GenerateSerializer, Immutable, Alias("OrleansNsq.ChannelStats")]
public sealed record ChannelStats
{
    [Id(0)] public required string ChannelName { get; init; }
    /// <summary>Ready messages (memory + storage); excludes in-flight and deferred.</summary>
    [Id(1)] public long Depth { get; init; }
    /// <summary>The part of <see cref="Depth"/> held in storage rather than memory.</summary>
    [Id(2)] public long BackendDepth { get; init; }
    [Id(3)] public long InFlightCount { get; init; }
    [Id(4)] public long DeferredCount { get; init; }
    /// <summary>Messages received from the topic (requeues not counted).</summary>
    [Id(5)] public long MessageCount { get; init; }
    /// <summary>Explicit REQs only.</summary>
    [Id(6)] public long RequeueCount { get; init; }
    [Id(7)] public long TimeoutCount { get; init; }
    /// <summary>Consumers subscribed through every gateway.</summary>
    [Id(8)] public int ClientCount { get; init; }
    [Id(9)] public bool Paused { get; init; }
    [Id(10)] public bool Ephemeral { get; init; }
}
