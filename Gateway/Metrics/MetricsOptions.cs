namespace OrleansNsq.Gateway.Metrics;

/// <summary>The broker's metrics: which exporters run, and how often the topic and channel counters are read.</summary>
public sealed class MetricsOptions
{
    public const string SectionName = "Metrics";

    /// <summary>--prometheus-metrics: serve the Prometheus text format at <c>/metrics</c> on the nsqd HTTP port.</summary>
    public bool Prometheus { get; set; } = true;

    /// <summary>ASP.NET Core's per-request instrumentation (<c>http.server.request.duration</c>,
    /// <c>http.server.active_requests</c>…). Off by default: it records a histogram per HTTP request, /pub included.</summary>
    public bool HttpRequests { get; set; }

    /// <summary>How often the topic and channel counters are read from the grains for the metrics (one GetStats per
    /// topic, as /stats makes): the figures a scrape sees are at most this old.</summary>
    public TimeSpan SampleInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Metric points per stream of the broker's meter: topics (and topic/channel pairs, and their
    /// percentiles) counted separately before the rest are summed into one overflow point. The SDK allocates them up
    /// front (≈100 bytes each per stream).</summary>
    public int CardinalityLimit { get; set; } = 2000;

    /// <summary>Metric points per stream of Orleans', the runtime's, Kestrel's and ASP.NET Core's meters, whose
    /// attribute sets are small and fixed.</summary>
    public int LibraryCardinalityLimit { get; set; } = 100;

    /// <summary>OTLP export runs when the standard OpenTelemetry variables name an endpoint.</summary>
    public static bool OtlpConfigured(Func<string, string?> environment) =>
        !string.IsNullOrEmpty(environment("OTEL_EXPORTER_OTLP_ENDPOINT")) ||
        !string.IsNullOrEmpty(environment("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"));
}
