using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Hosting;

namespace OrleansNsq.Grains.Tests.Hosting;

public class NsqGrainsSiloBuilderExtensionsTests
{
    private static ChannelOptions Resolve(Dictionary<string, string?> settings, Action<ChannelOptions>? configure = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration);
        new SiloBuilder(services, configuration).AddNsqGrains(configure);
        return services.BuildServiceProvider().GetRequiredService<IOptions<ChannelOptions>>().Value;
    }

    [Fact]
    public void Defaults_are_nsqds()
    {
        var options = Resolve([]);

        Assert.Equal(TimeSpan.FromMinutes(15), options.MaxMsgTimeout);
        Assert.Equal(TimeSpan.FromSeconds(60), options.MsgTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(100), options.QueueScanInterval);
        Assert.Equal(TimeSpan.FromMinutes(2), options.SubscriberIdleTimeout);
    }

    [Fact]
    public void Nsqd_flags_bind_from_the_Nsqd_section_and_the_delegate_wins()
    {
        var options = Resolve(
            new() { ["Nsqd:MaxMsgTimeout"] = "00:05:00", ["Nsqd:MsgTimeout"] = "00:00:30", ["Nsqd:QueueScanInterval"] = "00:00:00.050" },
            o => o.MsgTimeout = TimeSpan.FromSeconds(10));

        Assert.Equal(TimeSpan.FromMinutes(5), options.MaxMsgTimeout);
        Assert.Equal(TimeSpan.FromSeconds(10), options.MsgTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(50), options.QueueScanInterval);
    }

    [Fact]
    public void Msg_timeout_above_max_msg_timeout_is_rejected_naming_the_flag()
    {
        var error = Assert.Throws<OptionsValidationException>(() =>
            Resolve(new() { ["Nsqd:MaxMsgTimeout"] = "00:00:10", ["Nsqd:MsgTimeout"] = "00:01:00" }));

        Assert.Contains("--msg-timeout", error.Message);
    }

    private sealed class SiloBuilder(IServiceCollection services, IConfiguration configuration) : ISiloBuilder
    {
        public IServiceCollection Services { get; } = services;
        public IConfiguration Configuration { get; } = configuration;
    }
}
