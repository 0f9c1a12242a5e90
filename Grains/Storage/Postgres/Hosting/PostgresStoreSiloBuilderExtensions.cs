using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using OrleansNsq.Grains.Storage;
using OrleansNsq.Grains.Storage.Log;
using OrleansNsq.Grains.Storage.Postgres;

namespace Orleans.Hosting;

public static class PostgresStoreSiloBuilderExtensions
{
    /// <summary>The ADO.NET invariant name the Orleans providers know PostgreSQL by.</summary>
    public const string NpgsqlInvariant = "Npgsql";

    /// <summary>
    /// Cluster-mode storage on PostgreSQL (docs/STORAGE.md): the official Orleans ADO.NET grain storage (invariant
    /// <c>Npgsql</c>) under the name <paramref name="name"/> (default <see cref="NsqStateStorage.Name"/>, the one the
    /// topic, channel and directory grains use), and <see cref="PostgresLogStore"/> as the <see cref="IMessageLogStore"/>,
    /// both on one <see cref="PostgresDatabase"/>. The schema is applied at silo start, before the grain storage reads
    /// its queries; a server that cannot be used stops the start with a <see cref="PostgresStoreException"/>.
    /// </summary>
    public static ISiloBuilder AddPostgresNsqStore(this ISiloBuilder builder, Action<PostgresStoreOptions> configure,
        string name = NsqStateStorage.Name)
    {
        var services = builder.Services;
        services.AddOptions<PostgresStoreOptions>().Configure(configure).ValidateOnStart();
        services.AddSingleton<IValidateOptions<PostgresStoreOptions>, PostgresStoreOptionsValidator>();
        services.ConfigureNamedOptionForLogging<PostgresStoreOptions>(Options.DefaultName);
        services.AddSingleton(static provider => new PostgresDatabase(
            provider.GetRequiredService<IOptions<PostgresStoreOptions>>().Value,
            provider.GetRequiredService<ILogger<PostgresDatabase>>()));
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(static provider => provider.GetRequiredService<PostgresDatabase>());
        services.AddNsqMessageLog(static provider => new PostgresLogStore(provider.GetRequiredService<PostgresDatabase>().DataSource,
            provider.GetRequiredService<IOptions<PostgresStoreOptions>>().Value.FenceWithMembership ? FenceOf(provider) : null));
        services.AddAdoNetGrainStorage(name, (OptionsBuilder<AdoNetGrainStorageOptions> options) =>
            options.Configure<PostgresDatabase>(static (o, database) =>
            {
                o.Invariant = NpgsqlInvariant;
                o.DataSource = database.DataSource;
            }));
        return builder;
    }

    private static MembershipFence FenceOf(IServiceProvider provider)
    {
        var silo = provider.GetRequiredService<ILocalSiloDetails>().SiloAddress;
        return new MembershipFence(provider.GetRequiredService<IOptions<ClusterOptions>>().Value.ClusterId,
            silo.Endpoint.Address.ToString(), silo.Endpoint.Port, silo.Generation);
    }
}
