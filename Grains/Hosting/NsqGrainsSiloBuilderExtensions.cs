using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OrleansNsq.Grains.Channels;

namespace Orleans.Hosting;

public static class NsqGrainsSiloBuilderExtensions
{
    /// <summary>
    /// Registers what the topic, channel and directory grains need: <see cref="ChannelOptions"/> (bound from
    /// configuration section <see cref="ChannelOptions.SectionName"/>, then <paramref name="configure"/>, validated at
    /// start) and <see cref="TimeProvider.System"/> unless a TimeProvider is already registered.
    /// </summary>
    public static ISiloBuilder AddNsqGrains(this ISiloBuilder builder, Action<ChannelOptions>? configure = null)
    {
        builder.Services.TryAddSingleton(TimeProvider.System);
        var options = builder.Services.AddOptions<ChannelOptions>().BindConfiguration(ChannelOptions.SectionName);
        if (configure is not null) options.Configure(configure);
        options
            .Validate(o => o.MaxMsgTimeout > TimeSpan.Zero && o.MaxMsgTimeout.TotalMilliseconds <= int.MaxValue,
                "Nsqd:MaxMsgTimeout (--max-msg-timeout) must be positive and below 24 days")
            .Validate(o => o.MsgTimeout > TimeSpan.Zero && o.MsgTimeout <= o.MaxMsgTimeout,
                "Nsqd:MsgTimeout (--msg-timeout) must be positive and at most --max-msg-timeout")
            .Validate(o => o.MaxMsgSize > 0, "Nsqd:MaxMsgSize (--max-msg-size) must be > 0")
            .Validate(o => o.MaxReqTimeout >= TimeSpan.Zero && o.MaxReqTimeout.TotalMilliseconds <= int.MaxValue,
                "Nsqd:MaxReqTimeout (--max-req-timeout) must be between 0 and 24 days")
            .Validate(o => o.QueueScanInterval > TimeSpan.Zero,
                "Nsqd:QueueScanInterval (--queue-scan-interval) must be positive")
            .Validate(o => o.SubscriberIdleTimeout > TimeSpan.Zero,
                "Nsqd:SubscriberIdleTimeout must be positive")
            .Validate(o => Array.TrueForAll(o.E2eProcessingLatencyPercentiles, p => p > 0 && p <= 1),
                "invalid E2E processing latency percentile: each --e2e-processing-latency-percentile must be in (0, 1]")
            .Validate(o => o.E2eProcessingLatencyWindowTime > TimeSpan.Zero,
                "Nsqd:E2eProcessingLatencyWindowTime (--e2e-processing-latency-window-time) must be positive")
            // Highest first, as nsqd sorts them (and so reports them).
            .PostConfigure(o => o.E2eProcessingLatencyPercentiles = [.. o.E2eProcessingLatencyPercentiles.Distinct().OrderDescending()])
            .ValidateOnStart();
        return builder;
    }
}
