namespace OrleansNsq.Stats;

/// <summary>A topic's counters and its channels' (sorted by name), as nsqd's /stats reports them.</summary>
[GenerateSerializer, Immutable, Alias("OrleansNsq.TopicStats")]
public sealed record TopicStats
{
    [Id(0)] public required string TopicName { get; init; }
    /// <summary>Messages held by the topic itself (no channel yet, or paused).</summary>
    [Id(1)] public long Depth { get; init; }
    [Id(2)] public long BackendDepth { get; init; }
    [Id(3)] public long MessageCount { get; init; }
    [Id(4)] public long MessageBytes { get; init; }
    [Id(5)] public bool Paused { get; init; }
    [Id(6)] public bool Ephemeral { get; init; }
    [Id(7)] public required ChannelStats[] Channels { get; init; }
}
