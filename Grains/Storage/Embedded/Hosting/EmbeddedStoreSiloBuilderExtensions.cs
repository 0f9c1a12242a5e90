using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime.Hosting;
using Orleans.Storage;
using OrleansNsq.Grains.Storage;
using OrleansNsq.Grains.Storage.Embedded;
using OrleansNsq.Grains.Storage.Log;

namespace Orleans.Hosting;

public static class EmbeddedStoreSiloBuilderExtensions
{
    /// <summary>
    /// Registers the embedded SQLite store as the grain storage named <paramref name="name"/> (default
    /// <see cref="NsqStateStorage.Name"/>, the one the topic, channel and directory grains use). The database file
    /// (<see cref="EmbeddedStoreOptions.DatabasePath"/>) is opened at silo start; a data path that cannot be created
    /// or a file that is not our database stops the start with an <see cref="EmbeddedStoreException"/>.
    /// </summary>
    public static ISiloBuilder AddEmbeddedNsqStore(this ISiloBuilder builder, Action<EmbeddedStoreOptions> configure,
        string name = NsqStateStorage.Name)
    {
        var services = builder.Services;
        services.AddOptions<EmbeddedStoreOptions>(name).Configure(configure).ValidateOnStart();
        services.AddTransient<IPostConfigureOptions<EmbeddedStoreOptions>, DefaultStorageProviderSerializerOptionsConfigurator<EmbeddedStoreOptions>>();
        services.AddSingleton<IValidateOptions<EmbeddedStoreOptions>, EmbeddedStoreOptionsValidator>();
        services.ConfigureNamedOptionForLogging<EmbeddedStoreOptions>(name);
        // One database per store name, shared by the grain storage and the message log: one writer connection.
        services.AddKeyedSingleton(name, static (provider, key) =>
        {
            var options = provider.GetRequiredService<IOptionsMonitor<EmbeddedStoreOptions>>().Get((string)key!);
            return new EmbeddedDatabase(options.DatabasePath, options.MaxDatabaseBytes);
        });
        services.AddGrainStorage(name, static (provider, key) => new EmbeddedGrainStorage(key,
            provider.GetRequiredKeyedService<EmbeddedDatabase>(key),
            provider.GetRequiredService<IOptionsMonitor<EmbeddedStoreOptions>>().Get(key),
            provider.GetRequiredService<ILogger<EmbeddedGrainStorage>>(),
            provider.GetService<TimeProvider>()));
        services.AddNsqMessageLog(provider => new EmbeddedLogStore(provider.GetRequiredKeyedService<EmbeddedDatabase>(name),
            provider.GetRequiredService<IOptionsMonitor<EmbeddedStoreOptions>>().Get(name).LogSyncInterval,
            provider.GetService<TimeProvider>()));
        return builder;
    }
}
