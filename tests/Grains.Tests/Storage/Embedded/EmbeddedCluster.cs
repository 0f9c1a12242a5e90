using Microsoft.Data.Sqlite;
using Orleans.Hosting;
using Orleans.TestingHost;
using OrleansNsq.Grains.Channels;

namespace OrleansNsq.Grains.Tests.Storage.Embedded;

/// <summary>A one-silo test cluster on an embedded store file of its own, restartable on the same file as a restarted
/// node is (the silo stops gracefully: channels write their last cursors).</summary>
internal sealed class EmbeddedCluster : IAsyncDisposable
{
    private readonly Action<ChannelOptions>? _options;
    private InProcessTestCluster? _cluster;

    private EmbeddedCluster(Action<ChannelOptions>? options) => _options = options;

    public string DataPath { get; } = System.IO.Directory.CreateTempSubdirectory("orleansnsq-log-").FullName;

    public IGrainFactory Grains => _cluster!.Client;

    public static async Task<EmbeddedCluster> StartAsync(Action<ChannelOptions>? options = null)
    {
        var cluster = new EmbeddedCluster(options);
        await cluster.DeployAsync();
        return cluster;
    }

    public async Task RestartAsync()
    {
        await _cluster!.StopAllSilosAsync();
        await _cluster.DisposeAsync();
        _cluster = null;
        await DeployAsync();
    }

    /// <summary>Rows in the log's batch table, read beside the running silo.</summary>
    public long StoredBatches()
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(DataPath, "orleans-nsq.db")};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM message_batch;";
        return (long)command.ExecuteScalar()!;
    }

    public async ValueTask DisposeAsync()
    {
        if (_cluster is not null) await _cluster.DisposeAsync();
        SqliteConnection.ClearAllPools();
        System.IO.Directory.Delete(DataPath, recursive: true);
    }

    private async Task DeployAsync()
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) => silo.AddNsqGrains(_options).AddEmbeddedNsqStore(o => o.DataPath = DataPath));
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }
}
