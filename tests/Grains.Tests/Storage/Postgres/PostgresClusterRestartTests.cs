using OrleansNsq.Tests.Postgres;
using System.Text;
using Orleans.Hosting;
using Orleans.TestingHost;

namespace OrleansNsq.Grains.Tests.Storage.Postgres;

/// <summary>A one-silo cluster on PostgreSQL (the ADO.NET grain storage with the silo's own serializer), stopped and
/// started again on the same schema, as a restarted cluster node is: the grains' metadata comes back.</summary>
public sealed class PostgresClusterRestartTests : IAsyncLifetime
{
    private TestSchema? _schema;
    private InProcessTestCluster? _cluster;

    private IGrainFactory Grains => _cluster!.Client;

    public async Task InitializeAsync()
    {
        if (PostgresTestServer.SkipReason is not null) return;
        _schema = await PostgresTestServer.CreateSchemaAsync();
        await StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_cluster is not null) await _cluster.DisposeAsync();
        if (_schema is not null) await _schema.DisposeAsync();
    }

    private async Task StartAsync()
    {
        var builder = new InProcessTestClusterBuilder(1);
        // Grain state rows are keyed by the ServiceId (as Orleans' providers do): the restarted cluster is the same service.
        builder.Options.ServiceId = _schema!.Name;
        builder.ConfigureSilo((_, silo) => silo.AddNsqGrains().AddPostgresNsqStore(o => o.ConnectionString = _schema!.ConnectionString));
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    private async Task RestartAsync()
    {
        await _cluster!.StopAllSilosAsync();
        await _cluster.DisposeAsync();
        _cluster = null;
        await StartAsync();
    }

    [PostgresFact]
    public async Task Paused_topic_and_its_channels_come_back_after_a_restart_and_serve_again()
    {
        var topic = "t" + Guid.NewGuid().ToString("N");
        await Grains.Topic(topic).CreateChannelAsync("paused");
        await Grains.Topic(topic).CreateChannelAsync("running");
        await Grains.Topic(topic).CreateChannelAsync("gone");
        Assert.True(await Grains.Topic(topic).DeleteChannelAsync("gone"));
        Assert.True(await Grains.Topic(topic).SetPausedAsync(true));
        await Grains.Channel(topic, "paused").SetPausedAsync(true);

        await RestartAsync();

        var entry = Assert.Single(await Grains.TopicDirectory().GetEntriesAsync(), e => e.Topic == topic);
        Assert.Equal(["paused", "running"], entry.Channels);
        var stats = await Grains.Topic(topic).GetStatsAsync();
        Assert.NotNull(stats);
        Assert.True(stats.Paused, "topic paused flag");
        Assert.Equal([("paused", true), ("running", false)], stats.Channels.Select(c => (c.ChannelName, c.Paused)));

        Assert.True(await Grains.Topic(topic).SetPausedAsync(false));
        await Grains.Topic(topic).PublishAsync(new(PublishBatch.From([Encoding.UTF8.GetBytes("after")], 0)));
        var batch = await Grains.Channel(topic, "running").PullAsync(new PullRequest(Guid.NewGuid(), 10, 60_000, 5_000));
        Assert.Equal("after", Encoding.UTF8.GetString(Assert.Single(batch.Messages).Body.Span));
    }
}
