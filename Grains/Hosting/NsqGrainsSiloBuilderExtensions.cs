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
            .Validate(o => o.QueueScanInterval > TimeSpan.Zero,
                "Nsqd:QueueScanInterval (--queue-scan-interval) must be positive")
            .Validate(o => o.SubscriberIdleTimeout > TimeSpan.Zero,
                "Nsqd:SubscriberIdleTimeout must be positive")
            .ValidateOnStart();
        return builder;
    }
}
