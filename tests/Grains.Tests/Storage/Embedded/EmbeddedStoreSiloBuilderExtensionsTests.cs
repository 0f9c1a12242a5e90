using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Hosting;
using Orleans.Storage;
using OrleansNsq.Grains.Storage;
using OrleansNsq.Grains.Storage.Embedded;

namespace OrleansNsq.Grains.Tests.Storage.Embedded;

public class EmbeddedStoreSiloBuilderExtensionsTests
{
    private static ServiceProvider Build(string dataPath)
    {
        var configuration = new ConfigurationBuilder().Build();
        var services = new ServiceCollection().AddLogging();
        services.AddSingleton<IGrainStorageSerializer>(new NullSerializer());
        new SiloBuilder(services, configuration).AddEmbeddedNsqStore(o => o.DataPath = dataPath);
        return services.BuildServiceProvider();
    }

    [Fact]
    public void Registers_the_grain_storage_named_nsq_on_the_data_path_with_the_silos_serializer()
    {
        using var provider = Build("/var/lib/nsq");

        var options = provider.GetRequiredService<IOptionsMonitor<EmbeddedStoreOptions>>().Get(NsqStateStorage.Name);
        Assert.Equal(Path.Combine("/var/lib/nsq", EmbeddedStoreOptions.DefaultFileName), options.DatabasePath);
        Assert.IsType<NullSerializer>(options.GrainStorageSerializer);
        var storage = Assert.IsType<EmbeddedGrainStorage>(provider.GetRequiredKeyedService<IGrainStorage>(NsqStateStorage.Name));
        Assert.Equal(options.DatabasePath, storage.DatabasePath);
    }

    [Fact]
    public void Data_path_naming_a_file_is_rejected_naming_the_flag()
    {
        var file = Path.GetTempFileName();
        try
        {
            using var provider = Build(file);

            var error = Assert.Throws<OptionsValidationException>(() =>
                provider.GetRequiredService<IOptionsMonitor<EmbeddedStoreOptions>>().Get(NsqStateStorage.Name));
            Assert.Contains("--data-path", error.Message);
        }
        finally
        {
            File.Delete(file);
        }
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
