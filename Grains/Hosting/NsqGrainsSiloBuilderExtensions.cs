using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OrleansNsq.Grains.Channels;

namespace Orleans.Hosting;

public static class NsqGrainsSiloBuilderExtensions
{
    /// <summary>
    /// Registers what the topic, channel and directory grains need: <see cref="ChannelOptions"/> (bound from
    /// configuration section <see cref="ChannelOptions.SectionName"/>, then <paramref name="configure"/>) and
    /// <see cref="TimeProvider.System"/> unless a TimeProvider is already registered.
    /// </summary>
    public static ISiloBuilder AddNsqGrains(this ISiloBuilder builder, Action<ChannelOptions>? configure = null)
    {
        builder.Services.TryAddSingleton(TimeProvider.System);
        var options = builder.Services.AddOptions<ChannelOptions>().BindConfiguration(ChannelOptions.SectionName);
        if (configure is not null) options.Configure(configure);
        return builder;
    }
}
