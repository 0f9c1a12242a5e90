using Orleans.Hosting;
using Orleans.TestingHost;

namespace OrleansNsq.Grains.Tests.Cluster;

/// <summary>Two silos in this process, shared by every cluster test; tests keep apart through unique topic names.
/// Both keep metadata in one embedded store file in a temporary directory, deleted at the end.</summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    /// <summary>Short enough that the silent-subscriber test finishes in seconds; tests that keep a subscriber
    /// registered pull or report it more often than this.</summary>
    public static readonly TimeSpan SubscriberIdleTimeout = TimeSpan.FromSeconds(3);

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public string DataPath { get; } = System.IO.Directory.CreateTempSubdirectory("orleansnsq-grains-").FullName;

    public IClusterClient Client => Cluster.Client;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(2);
        builder.ConfigureSilo((_, silo) => silo.AddNsqGrains(options =>
        {
            options.QueueScanInterval = TimeSpan.FromMilliseconds(20);
            options.SubscriberIdleTimeout = SubscriberIdleTimeout;
        }).AddEmbeddedNsqStore(o => o.DataPath = DataPath));
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        System.IO.Directory.Delete(DataPath, recursive: true);
    }
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "Two-silo cluster";
}
