using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Storage;
using OrleansNsq.Grains.Storage;
using OrleansNsq.Grains.Storage.Log;
using OrleansNsq.Grains.Storage.Postgres;

namespace OrleansNsq.Grains.Tests.Storage.Postgres;

/// <summary>What <c>AddPostgresNsqStore</c> registers; needs no server (nothing connects until the silo starts).</summary>
public class PostgresStoreSiloBuilderExtensionsTests
{
    private static ServiceCollection Register(string connectionString)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IGrainStorageSerializer>(new NullSerializer());
        new SiloBuilder(services, new ConfigurationBuilder().Build()).AddPostgresNsqStore(o => o.ConnectionString = connectionString);
        return services;
    }

    [Fact]
    public void Registers_the_log_store_and_the_ADO_NET_grain_storage_named_nsq_on_one_data_source()
    {
        var services = Register("Host=db.example;Username=nsq;Password=secret;Database=nsq");
        using var provider = services.BuildServiceProvider();

        var database = provider.GetRequiredService<PostgresDatabase>();
        Assert.IsType<PostgresLogStore>(provider.GetRequiredService<IMessageLogStore>());
        var grainStorage = provider.GetRequiredService<IOptionsMonitor<AdoNetGrainStorageOptions>>().Get(NsqStateStorage.Name);
        Assert.Equal("Npgsql", grainStorage.Invariant);
        Assert.Same(database.DataSource, grainStorage.DataSource);
        Assert.Equal("postgres store db.example:5432/nsq", database.Where);
        Assert.Contains(services, d => d.ServiceType == typeof(IGrainStorage) && Equals(d.ServiceKey, NsqStateStorage.Name));
    }

    [Fact]
    public void A_connection_string_without_synchronous_commit_gets_it()
    {
        Assert.Equal("Host=db;Options=\"-c synchronous_commit=on\"", PostgresDatabase.DurableConnectionString("Host=db"));
        Assert.Equal("Host=db;Options=\"-c search_path=x -c synchronous_commit=on\"",
            PostgresDatabase.DurableConnectionString("Host=db;Options=-c search_path=x"));
    }

    [Theory]
    [InlineData("", "Storage:ConnectionString (--storage-connection) is required with --storage=postgres")]
    [InlineData("Hots=db", "Storage:ConnectionString (--storage-connection) is not an Npgsql connection string")]
    [InlineData("Database=nsq", "Storage:ConnectionString (--storage-connection) names no Host")]
    public void A_missing_or_malformed_connection_string_is_refused_naming_the_flag(string connectionString, string expected)
    {
        var result = new PostgresStoreOptionsValidator().Validate(null, new PostgresStoreOptions { ConnectionString = connectionString });

        Assert.True(result.Failed);
        Assert.StartsWith(expected, result.FailureMessage);
    }

    private sealed class NullSerializer : IGrainStorageSerializer
    {
        public BinaryData Serialize<T>(T? input) => BinaryData.Empty;

        public T Deserialize<T>(BinaryData input) => default!;
    }

    private sealed class SiloBuilder(IServiceCollection services, IConfiguration configuration) : ISiloBuilder
    {
        public IServiceCollection Services { get; } = services;
        public IConfiguration Configuration { get; } = configuration;
    }
}
