using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OrleansNsq.Client;

/// <summary>Registers the producer and named consumers with their options (bind them from configuration as usual).</summary>
public static class NsqServiceCollectionExtensions
{
    /// <summary>Adds a singleton <see cref="NsqProducer"/> built from <c>IOptions&lt;NsqProducerOptions&gt;</c>, also
    /// served as <see cref="INsqProducer"/>.</summary>
    public static IServiceCollection AddNsqProducer(this IServiceCollection services, Action<NsqProducerOptions>? configure = null)
    {
        var options = services.AddOptions<NsqProducerOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddSingleton(sp => new NsqProducer(
            sp.GetRequiredService<IOptions<NsqProducerOptions>>(), sp.GetService<ILogger<NsqProducer>>()));
        services.TryAddSingleton<INsqProducer>(sp => sp.GetRequiredService<NsqProducer>());
        return services;
    }

    /// <summary>
    /// Adds a keyed singleton <see cref="NsqConsumer"/> (key <paramref name="name"/>) whose options are the named
    /// <c>NsqConsumerOptions</c> <paramref name="name"/>. The caller starts and stops it (e.g. from a hosted service).
    /// </summary>
    public static IServiceCollection AddNsqConsumer(
        this IServiceCollection services,
        string name,
        Action<NsqConsumerOptions> configure,
        Func<IServiceProvider, Func<NsqMessage, CancellationToken, Task>> handlerFactory)
    {
        ArgumentNullException.ThrowIfNull(handlerFactory);
        services.AddOptions<NsqConsumerOptions>(name).Configure(configure);
        services.AddKeyedSingleton(name, (sp, _) => new NsqConsumer(
            sp.GetRequiredService<IOptionsMonitor<NsqConsumerOptions>>().Get(name),
            handlerFactory(sp),
            sp.GetService<ILogger<NsqConsumer>>(),
            sp.GetService<TimeProvider>()));
        return services;
    }
}
