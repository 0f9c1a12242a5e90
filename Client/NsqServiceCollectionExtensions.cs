using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansNsq.Client.Hosting;
using OrleansNsq.Client.Serialization;

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
    /// <c>NsqConsumerOptions</c> <paramref name="name"/>. The caller starts and stops it (or use
    /// <see cref="AddNsqConsumer{THandler}"/>, which runs it as a hosted service).
    /// </summary>
    public static IServiceCollection AddNsqConsumer(
        this IServiceCollection services,
        string name,
        Action<NsqConsumerOptions> configure,
        Func<IServiceProvider, Func<NsqMessage, CancellationToken, Task>> handlerFactory)
    {
        ArgumentNullException.ThrowIfNull(handlerFactory);
        services.AddOptions<NsqConsumerOptions>(name).Configure(configure);
        AddKeyedConsumer(services, name, handlerFactory);
        return services;
    }

    /// <summary>
    /// Runs a consumer as a hosted service: started with the host, stopped gracefully with it. Each message is handled
    /// by a <typeparamref name="THandler"/> resolved in a new DI scope (registered scoped unless already registered).
    /// <see cref="NsqConsumerOptions.MaxInFlight"/> is how many handlers run at once. The options are the named
    /// <c>NsqConsumerOptions</c> <paramref name="name"/>, validated when the host starts; bind them on the returned
    /// builder, e.g. <c>.BindConfiguration("Nsq:Consumers:billing")</c>. The consumer is also a keyed singleton
    /// <see cref="NsqConsumer"/> under <paramref name="name"/> (for its counters and health check).
    /// </summary>
    public static OptionsBuilder<NsqConsumerOptions> AddNsqConsumer<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] THandler>(this IServiceCollection services, string name,
        Action<NsqConsumerOptions>? configure = null)
        where THandler : class, INsqHandler
    {
        services.TryAddScoped<THandler>();
        return AddHostedConsumer(services, name, configure, sp =>
        {
            var scopes = sp.GetRequiredService<IServiceScopeFactory>();
            return async (message, cancellationToken) =>
            {
                var scope = scopes.CreateAsyncScope();
                await using (scope.ConfigureAwait(false))
                {
                    await scope.ServiceProvider.GetRequiredService<THandler>().HandleAsync(message, cancellationToken).ConfigureAwait(false);
                }
            };
        });
    }

    /// <summary>As <see cref="AddNsqConsumer{THandler}"/>, with a typed handler: each body is read through
    /// <paramref name="serializer"/> first.</summary>
    public static OptionsBuilder<NsqConsumerOptions> AddNsqConsumer<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] THandler, T>(this IServiceCollection services, string name,
        INsqSerializer<T> serializer, Action<NsqConsumerOptions>? configure = null)
        where THandler : class, INsqHandler<T>
    {
        ArgumentNullException.ThrowIfNull(serializer);
        services.TryAddScoped<THandler>();
        return AddHostedConsumer(services, name, configure, sp =>
        {
            var scopes = sp.GetRequiredService<IServiceScopeFactory>();
            return async (message, cancellationToken) =>
            {
                var payload = serializer.Deserialize(message.Body);
                var scope = scopes.CreateAsyncScope();
                await using (scope.ConfigureAwait(false))
                {
                    await scope.ServiceProvider.GetRequiredService<THandler>().HandleAsync(payload, message, cancellationToken).ConfigureAwait(false);
                }
            };
        });
    }

    /// <summary>As <see cref="AddNsqConsumer{THandler}"/>, with a typed handler: each body is read as JSON through its
    /// source-generated type info first (AOT-safe).</summary>
    public static OptionsBuilder<NsqConsumerOptions> AddNsqConsumer<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] THandler, T>(this IServiceCollection services, string name,
        JsonTypeInfo<T> typeInfo, Action<NsqConsumerOptions>? configure = null)
        where THandler : class, INsqHandler<T> =>
        services.AddNsqConsumer<THandler, T>(name, new NsqJsonSerializer<T>(typeInfo), configure);

    private static OptionsBuilder<NsqConsumerOptions> AddHostedConsumer(IServiceCollection services, string name,
        Action<NsqConsumerOptions>? configure, Func<IServiceProvider, Func<NsqMessage, CancellationToken, Task>> handlerFactory)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var options = services.AddOptions<NsqConsumerOptions>(name);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<NsqConsumerOptions>, NsqConsumerOptionsValidator>());
        AddKeyedConsumer(services, name, handlerFactory);
        // not AddHostedService: its TryAddEnumerable would keep only the first consumer's service
        services.AddSingleton<IHostedService>(sp => new NsqConsumerService(sp.GetRequiredKeyedService<NsqConsumer>(name)));
        return options;
    }

    private static void AddKeyedConsumer(IServiceCollection services, string name,
        Func<IServiceProvider, Func<NsqMessage, CancellationToken, Task>> handlerFactory) =>
        services.AddKeyedSingleton(name, (sp, _) => new NsqConsumer(
            sp.GetRequiredService<IOptionsMonitor<NsqConsumerOptions>>().Get(name),
            handlerFactory(sp),
            sp.GetService<ILogger<NsqConsumer>>(),
            sp.GetService<TimeProvider>()));
}
