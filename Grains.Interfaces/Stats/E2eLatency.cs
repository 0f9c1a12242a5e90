namespace OrleansNsq.Stats;

/// <summary>
/// /stats <c>e2e_processing_latency</c>: how long the messages finished within the window took from publish to FIN,
/// at the configured quantiles (--e2e-processing-latency-percentile, highest first), in nanoseconds.
/// </summary>
[GenerateSerializer, Immutable, Alias("OrleansNsq.E2eLatency")]
public sealed record E2eLatency
{
    /// <summary>FINs counted in the window.</summary>
    [Id(0)] public long Count { get; init; }
    /// <summary>The quantiles, each in (0, 1], highest first.</summary>
    [Id(1)] public required double[] Quantiles { get; init; }
    /// <summary>The latency at each quantile, nanoseconds (0 with no FIN in the window).</summary>
    [Id(2)] public required double[] ValuesNs { get; init; }
    /// <summary>The window's histogram (log-linear buckets), so a topic can merge its channels' into its own figure.</summary>
    [Id(3)] public required long[] Buckets { get; init; }
}
