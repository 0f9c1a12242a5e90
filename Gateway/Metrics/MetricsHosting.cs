using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OrleansNsq.Gateway.Http;

namespace OrleansNsq.Gateway.Metrics;

/// <summary>
/// OpenTelemetry metrics of a node: the broker's meter (<see cref="BrokerMetrics"/>), Orleans' own
/// (<c>Microsoft.Orleans</c>), the runtime's (<c>System.Runtime</c>), Kestrel's and, with
/// <see cref="MetricsOptions.HttpRequests"/>, ASP.NET Core's per-request instrumentation, exported as Prometheus text at
/// <c>/metrics</c> on the nsqd HTTP port (unless --prometheus-metrics=false) and over OTLP when the standard
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> variables are set. With neither, nothing is registered and nothing listens.
/// </summary>
public static class MetricsHosting
{
    /// <summary>Kestrel's connection figures (the TCP protocol's connections included): per connection, not per request.</summary>
    private const string KestrelMeter = "Microsoft.AspNetCore.Server.Kestrel";

    public static IServiceCollection AddNsqMetrics(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(MetricsOptions.SectionName);
        services.AddOptions<MetricsOptions>().Bind(section);
        var options = section.Get<MetricsOptions>() ?? new MetricsOptions();
        var otlp = MetricsOptions.OtlpConfigured(Environment.GetEnvironmentVariable);
        if (!options.Prometheus && !otlp) return services;

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<StatsSampler>();
        services.AddHostedService(sp => sp.GetRequiredService<StatsSampler>());
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("orleans-nsq"))
            .WithMetrics(metrics =>
            {
                metrics
                    .AddMeter(BrokerMetrics.MeterName, "Microsoft.Orleans", "System.Runtime", KestrelMeter)
                    .AddView(instrument => CardinalityOf(instrument, options))
                    .AddInstrumentation(sp => new BrokerMetrics(
                        sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), sp.GetRequiredService<StatsSampler>()));
                // Per-request figures cost every HTTP /pub a histogram record (measured in docs/METRICS.md).
                if (options.HttpRequests) AddHttpRequests(metrics);
                if (options.Prometheus) metrics.AddPrometheusExporter();
                if (otlp) AddOtlp(metrics);
            });
        return services;
    }

    /// <summary>
    /// The SDK allocates every metric stream's points up front, as many as its cardinality limit (2000 unless set):
    /// for the ≈80 streams of Orleans', the runtime's and Kestrel's meters that was 8 MB of an idle node's memory. Their
    /// attribute sets are small and fixed, so they get <see cref="MetricsOptions.LibraryCardinalityLimit"/>; the
    /// broker's streams, one point per topic or channel, get <see cref="MetricsOptions.CardinalityLimit"/>. Points past
    /// a limit are not dropped: the SDK sums them into one point marked <c>otel.metric.overflow</c>.
    /// </summary>
    private static MetricStreamConfiguration CardinalityOf(System.Diagnostics.Metrics.Instrument instrument, MetricsOptions options) =>
        new()
        {
            CardinalityLimit = instrument.Meter.Name == BrokerMetrics.MeterName ? options.CardinalityLimit : options.LibraryCardinalityLimit,
        };

    // Each in its own method, so an exporter's or instrumentation's assembly is loaded only where it is used.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void AddOtlp(MeterProviderBuilder metrics) => metrics.AddOtlpExporter();

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void AddHttpRequests(MeterProviderBuilder metrics) => metrics.AddAspNetCoreInstrumentation();

    /// <summary>On the nsqd HTTP listener's branch, before nsqd's routes: <c>GET /metrics</c>.</summary>
    public static void UseNsqMetricsEndpoint(this IApplicationBuilder app)
    {
        if (app.ApplicationServices.GetService<IOptions<MetricsOptions>>()?.Value.Prometheus == true &&
            app.ApplicationServices.GetService<MeterProvider>() is not null)
            app.UseOpenTelemetryPrometheusScrapingEndpoint();
    }
}
