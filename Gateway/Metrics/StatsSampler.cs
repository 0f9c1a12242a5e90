using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansNsq.Gateway.Http;
using OrleansNsq.Stats;

namespace OrleansNsq.Gateway.Metrics;

/// <summary>
/// Reads the topics' and channels' counters every <see cref="MetricsOptions.SampleInterval"/> and keeps the last
/// reading for <see cref="BrokerMetrics"/>' observable instruments, whose callbacks cannot wait for grain calls. The
/// hot path is untouched: the counters are the ones /stats reads.
/// </summary>
internal sealed partial class StatsSampler(
    TopicStatsReader topics,
    IOptions<MetricsOptions> options,
    TimeProvider time,
    ILogger<StatsSampler> logger) : BackgroundService
{
    private TopicStats[] _latest = [];
    private int _samples;

    /// <summary>The last reading (empty before the first).</summary>
    public TopicStats[] Latest => Volatile.Read(ref _latest);

    /// <summary>Readings taken so far (tests wait on it).</summary>
    internal int Samples => Volatile.Read(ref _samples);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SampleInterval, time);
        try
        {
            do
            {
                try
                {
                    Volatile.Write(ref _latest, await topics.ReadAsync() ?? []);
                    Interlocked.Increment(ref _samples);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The previous reading stays; the next interval tries again.
                    LogSampleFailed(logger, ex);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // stopping
        }
    }

    [LoggerMessage(2201, LogLevel.Warning, "Reading the topic and channel counters for the metrics failed; the last reading is kept")]
    private static partial void LogSampleFailed(ILogger logger, Exception ex);
}
