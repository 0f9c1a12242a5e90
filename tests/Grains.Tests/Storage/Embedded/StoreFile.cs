using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Storage;
using OrleansNsq.Grains.Storage.Embedded;

namespace OrleansNsq.Grains.Tests.Storage.Embedded;

/// <summary>A temporary data path with the embedded store opened on it, directly (no silo); deleted on dispose.
/// <see cref="Reopen"/> closes the file and opens it again, as a restart does.</summary>
internal sealed class StoreFile : IAsyncDisposable
{
    public StoreFile(string? dataPath = null)
    {
        DataPath = dataPath ?? System.IO.Directory.CreateTempSubdirectory("orleansnsq-store-").FullName;
        Storage = Open(DataPath);
    }

    public string DataPath { get; }

    public EmbeddedGrainStorage Storage { get; private set; }

    public static EmbeddedGrainStorage Open(string dataPath)
    {
        var storage = Create(dataPath);
        storage.Open();
        return storage;
    }

    public static EmbeddedGrainStorage Create(string dataPath)
    {
        var options = new EmbeddedStoreOptions { DataPath = dataPath, GrainStorageSerializer = new JsonSerializer() };
        return new("nsq", new EmbeddedDatabase(options.DatabasePath), options, NullLogger<EmbeddedGrainStorage>.Instance);
    }

    public Task Reopen()
    {
        Storage.Dispose();
        Storage = Open(DataPath);
        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        Storage.Dispose();
        System.IO.Directory.Delete(DataPath, recursive: true);
        return ValueTask.CompletedTask;
    }

    /// <summary>System.Text.Json, so these tests need no silo's serializer.</summary>
    private sealed class JsonSerializer : IGrainStorageSerializer
    {
        public BinaryData Serialize<T>(T? input) => BinaryData.FromObjectAsJson(input);

        public T Deserialize<T>(BinaryData input) => input.ToObjectFromJson<T>()!;
    }
}
