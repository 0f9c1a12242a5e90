using System.Text;
using Orleans.Hosting;
using Orleans.TestingHost;

namespace OrleansNsq.Grains.Tests.Storage.Embedded;

/// <summary>A one-silo cluster on an embedded store file, stopped and started again on the same file, as a restarted
/// node is. Metadata comes back; messages are not saved yet (issue 7's message log).</summary>
public sealed class ClusterRestartTests : IAsyncLifetime
{
    private readonly string _dataPath = System.IO.Directory.CreateTempSubdirectory("orleansnsq-restart-").FullName;
    private InProcessTestCluster? _cluster;

    private IGrainFactory Grains => _cluster!.Client;

    public Task InitializeAsync() => StartAsync();

    public async Task DisposeAsync()
    {
        if (_cluster is not null) await _cluster.DisposeAsync();
        System.IO.Directory.Delete(_dataPath, recursive: true);
    }

    private async Task StartAsync()
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) => silo.AddNsqGrains().AddEmbeddedNsqStore(o => o.DataPath = _dataPath));
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

    private static string NewTopic() => "t" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task Paused_topic_and_its_channels_come_back_after_a_restart_and_serve_again()
    {
        var topic = NewTopic();
        await Grains.Topic(topic).CreateChannelAsync("paused");
        await Grains.Topic(topic).CreateChannelAsync("running");
        await Grains.Topic(topic).CreateChannelAsync("gone");
        await Grains.Topic(topic).CreateChannelAsync("temp#ephemeral");
        Assert.True(await Grains.Topic(topic).DeleteChannelAsync("gone"));
        Assert.True(await Grains.Topic(topic).SetPausedAsync(true));
        await Grains.Channel(topic, "paused").SetPausedAsync(true);

        await RestartAsync();

        var entry = Assert.Single(await Grains.TopicDirectory().GetEntriesAsync(), e => e.Topic == topic);
        Assert.Equal(["paused", "running"], entry.Channels);
        Assert.True(entry.HasProducer);
        var stats = await Grains.Topic(topic).GetStatsAsync();
        Assert.NotNull(stats);
        Assert.True(stats.Paused, "topic paused flag");
        Assert.Equal([("paused", true), ("running", false)], stats.Channels.Select(c => (c.ChannelName, c.Paused)));

        // The restored channels take new messages and serve pulls.
        Assert.True(await Grains.Topic(topic).SetPausedAsync(false));
        await Grains.Channel(topic, "paused").SetPausedAsync(false);
        await Grains.Topic(topic).PublishAsync(new(PublishBatch.From([Encoding.UTF8.GetBytes("after")], 0)));
        foreach (var channel in new[] { "paused", "running" })
        {
            var batch = await Grains.Channel(topic, channel).PullAsync(new PullRequest(Guid.NewGuid(), 10, 60_000, 5_000));
            Assert.Equal("after", Encoding.UTF8.GetString(Assert.Single(batch.Messages).Body.Span));
        }
    }

    [Fact]
    public async Task Ephemeral_topics_and_deleted_topics_do_not_come_back()
    {
        var ephemeral = NewTopic() + "#ephemeral";
        var deleted = NewTopic();
        var kept = NewTopic();
        await Grains.Topic(ephemeral).CreateChannelAsync("c");
        await Grains.Topic(deleted).CreateChannelAsync("c");
        await Grains.Topic(kept).CreateAsync();
        Assert.True(await Grains.Topic(deleted).DeleteAsync());

        await RestartAsync();

        var topics = (await Grains.TopicDirectory().GetEntriesAsync()).Select(e => e.Topic).ToArray();
        Assert.Contains(kept, topics);
        Assert.DoesNotContain(ephemeral, topics);
        Assert.DoesNotContain(deleted, topics);
        Assert.False(await Grains.Topic(deleted).ExistsAsync());
        Assert.False(await Grains.Topic(ephemeral).ExistsAsync());
        Assert.True(await Grains.Topic(kept).ExistsAsync());
        Assert.True((await Grains.Channel(deleted, "c").PullAsync(new PullRequest(Guid.NewGuid(), 1, 60_000, 0))).ChannelDeleted);
    }
}
