namespace OrleansNsq.Stats;

/// <summary>A topic's counters and its channels' (sorted by name), as nsqd's /stats reports them.</summary>
[GenerateSerializer, Immutable, Alias("OrleansNsq.TopicStats")]
public sealed record TopicStats
{
    /// <summary>topic_name.</summary>
    [Id(0)] public required string TopicName { get; init; }
    /// <summary>Messages held by the topic itself (no channel yet, or paused).</summary>
    [Id(1)] public long Depth { get; init; }
    /// <summary>The part of <see cref="Depth"/> held in storage rather than memory.</summary>
    [Id(2)] public long BackendDepth { get; init; }
    /// <summary>Messages published to the topic.</summary>
    [Id(3)] public long MessageCount { get; init; }
    /// <summary>Sum of the published body sizes.</summary>
    [Id(4)] public long MessageBytes { get; init; }
    /// <summary>Paused: messages stay in the topic instead of reaching its channels.</summary>
    [Id(5)] public bool Paused { get; init; }
    /// <summary>The name ends in <c>#ephemeral</c>.</summary>
    [Id(6)] public bool Ephemeral { get; init; }
    /// <summary>The channels' counters, sorted by name.</summary>
    [Id(7)] public required ChannelStats[] Channels { get; init; }
    /// <summary>e2e_processing_latency over all channels; null when no --e2e-processing-latency-percentile is configured.</summary>
    [Id(8)] public E2eLatency? E2eProcessingLatency { get; init; }
}
