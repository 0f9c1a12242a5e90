using System.Text;

namespace OrleansNsq.Grains.Tests.Storage.Embedded;

/// <summary>
/// --mem-queue-size on the embedded store (here 10): beyond it a channel or a topic keeps only the ids of its messages
/// (backend_depth) and reads the bodies back from the log as consumers need them, so every message is still delivered
/// once, in order, through restarts too.
/// </summary>
public sealed class MemQueueSizeTests : IAsyncLifetime
{
    private const int MemQueueSize = 10;
    private EmbeddedCluster _cluster = null!;

    private IGrainFactory Grains => _cluster.Grains;

    public async Task InitializeAsync() => _cluster = await EmbeddedCluster.StartAsync(o => o.MemQueueSize = MemQueueSize);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private static string NewTopic() => "t" + Guid.NewGuid().ToString("N");

    private async Task<List<string>> PublishAsync(string topic, int batches, int perBatch)
    {
        var all = new List<string>();
        for (var b = 0; b < batches; b++)
        {
            var bodies = Enumerable.Range(0, perBatch).Select(i => $"m{b:D4}-{i:D2}").ToArray();
            all.AddRange(bodies);
            await Grains.Topic(topic).PublishAsync(new(PublishBatch.From(bodies.Select(Encoding.UTF8.GetBytes).ToArray())));
        }
        return all;
    }

    /// <summary>Pulls and finishes until <paramref name="expected"/> messages came or a pull waits in vain.</summary>
    private async Task<List<string>> DrainAsync(string topic, string channel, int expected)
    {
        var received = new List<string>();
        var subscriber = Guid.NewGuid();
        while (received.Count < expected)
        {
            var batch = await Grains.Channel(topic, channel).PullAsync(new PullRequest(subscriber, 7, 60_000, 3_000));
            if (batch.Messages.Length == 0) break;
            received.AddRange(batch.Messages.Select(m => Encoding.UTF8.GetString(m.Body.Span)));
            await Grains.Channel(topic, channel).SettleAsync(new([.. batch.Messages.Select(m => Settlement.Fin(m))]));
        }
        return received;
    }

    [Fact]
    public async Task A_channel_keeps_at_most_mem_queue_size_bodies_and_still_delivers_everything_in_order()
    {
        var topic = NewTopic();
        await Grains.Topic(topic).CreateChannelAsync("c");
        var published = await PublishAsync(topic, batches: 40, perBatch: 5);

        var channel = Assert.Single((await Grains.Topic(topic).GetStatsAsync("c"))!.Channels);
        Assert.Equal(200, channel.Depth);
        Assert.Equal(200 - MemQueueSize, channel.BackendDepth);

        Assert.Equal(published, await DrainAsync(topic, "c", published.Count));
        channel = Assert.Single((await Grains.Topic(topic).GetStatsAsync("c"))!.Channels);
        Assert.Equal((0, 0), (channel.Depth, channel.BackendDepth));
    }

    [Fact]
    public async Task A_topic_without_channels_keeps_ids_only_and_its_first_channel_reads_them_back()
    {
        var topic = NewTopic();
        await Grains.Topic(topic).CreateAsync();
        var published = await PublishAsync(topic, batches: 30, perBatch: 4);

        var stats = await Grains.Topic(topic).GetStatsAsync();
        Assert.Equal(120, stats!.Depth);
        Assert.Equal(120 - 8, stats.BackendDepth);

        await Grains.Topic(topic).CreateChannelAsync("first");
        Assert.Equal(published, await DrainAsync(topic, "first", published.Count));
    }

    [Fact]
    public async Task A_stored_backlog_survives_a_restart_and_drains_exactly()
    {
        var topic = NewTopic();
        await Grains.Topic(topic).CreateChannelAsync("c");
        var published = await PublishAsync(topic, batches: 30, perBatch: 5);
        var firstPart = await DrainAsync(topic, "c", 40);

        await _cluster.RestartAsync();

        var rest = await DrainAsync(topic, "c", published.Count - firstPart.Count);
        Assert.Equal(published, firstPart.Concat(rest).ToList());
    }

    [Fact]
    public async Task A_held_stored_backlog_survives_a_restart_and_goes_to_the_first_channel()
    {
        var topic = NewTopic();
        await Grains.Topic(topic).CreateAsync();
        var published = await PublishAsync(topic, batches: 25, perBatch: 4);

        await _cluster.RestartAsync();

        Assert.Equal(100, (await Grains.Topic(topic).GetStatsAsync())!.Depth);
        await Grains.Topic(topic).CreateChannelAsync("first");
        Assert.Equal(published, await DrainAsync(topic, "first", published.Count));
    }

    [Fact]
    public async Task An_ephemeral_first_channel_gets_the_stored_backlog_with_its_bodies()
    {
        var topic = NewTopic();
        await Grains.Topic(topic).CreateAsync();
        var published = await PublishAsync(topic, batches: 10, perBatch: 5);

        await Grains.Topic(topic).CreateChannelAsync("tail#ephemeral");

        Assert.Equal(published, await DrainAsync(topic, "tail#ephemeral", published.Count));
    }
}
