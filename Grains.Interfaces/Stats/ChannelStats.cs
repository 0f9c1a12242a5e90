namespace OrleansNsq.Stats;

/// <summary>A channel's counters as nsqd's /stats reports them (nsqd 1.3.0: nsqd/stats.go).</summary>
[GenerateSerializer, Immutable, Alias("OrleansNsq.ChannelStats")]
public sealed record ChannelStats
{
    /// <summary>channel_name.</summary>
    [Id(0)] public required string ChannelName { get; init; }
    /// <summary>Ready messages (memory + storage); excludes in-flight and deferred.</summary>
    [Id(1)] public long Depth { get; init; }
    /// <summary>The part of <see cref="Depth"/> held in storage rather than memory.</summary>
    [Id(2)] public long BackendDepth { get; init; }
    /// <summary>Messages leased to a consumer and not yet FIN'd, REQ'd or timed out.</summary>
    [Id(3)] public long InFlightCount { get; init; }
    /// <summary>Messages waiting for their DPUB or REQ delay.</summary>
    [Id(4)] public long DeferredCount { get; init; }
    /// <summary>Messages received from the topic (requeues not counted).</summary>
    [Id(5)] public long MessageCount { get; init; }
    /// <summary>Explicit REQs only.</summary>
    [Id(6)] public long RequeueCount { get; init; }
    /// <summary>In-flight messages whose msg_timeout passed (delivered again).</summary>
    [Id(7)] public long TimeoutCount { get; init; }
    /// <summary>Consumers subscribed through every gateway.</summary>
    [Id(8)] public int ClientCount { get; init; }
    /// <summary>Paused: nothing is delivered.</summary>
    [Id(9)] public bool Paused { get; init; }
    /// <summary>The name ends in <c>#ephemeral</c>.</summary>
    [Id(10)] public bool Ephemeral { get; init; }
    /// <summary>e2e_processing_latency; null when no --e2e-processing-latency-percentile is configured.</summary>
    [Id(11)] public E2eLatency? E2eProcessingLatency { get; init; }
}
