using System.Text;

namespace OrleansNsq.Grains.Tests.Storage.Embedded;

/// <summary>
/// Messages through a restart of a one-silo cluster on an embedded store file (the silo stops gracefully, so channels
/// write their last cursors): what was not finished comes back, what was finished does not, deferred messages keep
/// their due times, a topic's held messages go to its first channel, and the log keeps only what someone still needs.
/// </summary>
public sealed class MessageLogRestartTests : IAsyncLifetime
{
    private EmbeddedCluster _cluster = null!;

    private IGrainFactory Grains => _cluster.Grains;

    public async Task InitializeAsync() => _cluster = await EmbeddedCluster.StartAsync();

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private Task RestartAsync() => _cluster.RestartAsync();

    private long StoredBatches() => _cluster.StoredBatches();

    private static string NewTopic() => "t" + Guid.NewGuid().ToString("N");

    private Task PublishAsync(string topic, int deferMs, params string[] bodies) =>
        Grains.Topic(topic).PublishAsync(new(PublishBatch.From(bodies.Select(Encoding.UTF8.GetBytes).ToArray(), deferMs))).AsTask();

    private async Task<DeliveredMessage[]> PullAsync(string topic, string channel, int max = 100, int waitMs = 2_000) =>
        (await Grains.Channel(topic, channel).PullAsync(new PullRequest(Guid.NewGuid(), max, 60_000, waitMs))).Messages;

    private static string[] Bodies(IEnumerable<DeliveredMessage> messages) =>
        messages.Select(m => Encoding.UTF8.GetString(m.Body.Span)).ToArray();

    [Fact]
    public async Task Unfinished_and_in_flight_messages_come_back_after_a_restart_and_finished_ones_do_not()
    {
        var topic = NewTopic();
        await Grains.Topic(topic).CreateChannelAsync("c");
        await PublishAsync(topic, 0, "one", "two", "three", "four");
        var first = await PullAsync(topic, "c", max: 2);
        Assert.Equal(["one", "two"], Bodies(first));
        await Grains.Channel(topic, "c").SettleAsync(new([new Settlement(first[0].Id, first[0].LeaseToken, SettlementKind.Finish)]));

        await RestartAsync();

        var after = await PullAsync(topic, "c");
        Assert.Equal(["two", "three", "four"], Bodies(after.OrderBy(m => m.Id)));
        Assert.All(after, m => Assert.Equal(1, m.Attempts));
        var stats = await Grains.Topic(topic).GetStatsAsync("c");
        Assert.Equal(3, Assert.Single(stats!.Channels).InFlightCount);
    }

    [Fact]
    public async Task Every_channel_gets_its_own_unfinished_messages_back()
    {
        var topic = NewTopic();
        await Grains.Topic(topic).CreateChannelAsync("fast");
        await Grains.Topic(topic).CreateChannelAsync("slow");
        await PublishAsync(topic, 0, "a", "b");
        var fast = await PullAsync(topic, "fast");
        await Grains.Channel(topic, "fast").SettleAsync(new([.. fast.Select(m => Settlement.Fin(m))]));

        await RestartAsync();

        Assert.Empty(await PullAsync(topic, "fast", waitMs: 300));
        Assert.Equal(["a", "b"], Bodies(await PullAsync(topic, "slow")));
    }

    [Fact]
    public async Task New_ids_after_a_restart_are_above_every_stored_one()
    {
        var topic = NewTopic();
        await Grains.Topic(topic).CreateChannelAsync("c");
        await PublishAsync(topic, 0, "before");

        await RestartAsync();

        await PublishAsync(topic, 0, "after");
        var messages = await PullAsync(topic, "c");
        Assert.Equal(["before", "after"], Bodies(messages.OrderBy(m => m.Id)));
        Assert.Equal(2, messages.Select(m => m.Id).Distinct().Count());
    }

    [Fact]
    public async Task Messages_held_by_a_topic_without_channels_go_to_its_first_channel_after_a_restart()
    {
        var topic = NewTopic();
        await Grains.Topic(topic).CreateAsync();
        await PublishAsync(topic, 0, "held 1", "held 2");

        await RestartAsync();

        Assert.Equal(2, (await Grains.Topic(topic).GetStatsAsync())!.Depth);
        await Grains.Topic(topic).CreateChannelAsync("first");
        Assert.Equal(["held 1", "held 2"], Bodies(await PullAsync(topic, "first")));
    }

    [Fact]
    public async Task Deferred_publish_keeps_its_due_time_across_a_restart()
    {
        var topic = NewTopic();
        await Grains.Topic(topic).CreateChannelAsync("c");
        var due = DateTimeOffset.UtcNow.AddMilliseconds(4_000);
        await PublishAsync(topic, 4_000, "later");

        await RestartAsync();

        var stats = await Grains.Topic(topic).GetStatsAsync("c");
        Assert.Equal(1, Assert.Single(stats!.Channels).DeferredCount);
        var pulled = await PullAsync(topic, "c", waitMs: 8_000);
        Assert.True(DateTimeOffset.UtcNow >= due.AddMilliseconds(-150), "delivered before its due time");
        Assert.Equal(["later"], Bodies(pulled));
    }

    [Fact]
    public async Task Requeue_with_a_delay_keeps_its_due_time_across_a_restart()
    {
        var topic = NewTopic();
        await Grains.Topic(topic).CreateChannelAsync("c");
        await PublishAsync(topic, 0, "retry");
        var message = Assert.Single(await PullAsync(topic, "c"));
        var due = DateTimeOffset.UtcNow.AddMilliseconds(4_000);
        await Grains.Channel(topic, "c").SettleAsync(new([new Settlement(message.Id, message.LeaseToken, SettlementKind.Requeue, 4_000)]));

        await RestartAsync();

        Assert.Equal(1, Assert.Single((await Grains.Topic(topic).GetStatsAsync("c"))!.Channels).DeferredCount);
        var pulled = await PullAsync(topic, "c", waitMs: 8_000);
        Assert.True(DateTimeOffset.UtcNow >= due.AddMilliseconds(-150), "delivered before its due time");
        Assert.Equal(["retry"], Bodies(pulled));
    }

    [Fact]
    public async Task Batches_every_channel_has_finished_are_deleted_from_the_log()
    {
        var topic = NewTopic();
        await Grains.Topic(topic).CreateChannelAsync("c");
        for (var i = 0; i < 5; i++) await PublishAsync(topic, 0, $"m{i}");
        // Written behind (--mem-queue-size above 0): each publish is one batch row soon after its OK.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (StoredBatches() < 5 && DateTime.UtcNow < deadline) await Task.Delay(20);
        Assert.Equal(5, StoredBatches());
        var messages = await PullAsync(topic, "c");
        await Grains.Channel(topic, "c").SettleAsync(new([.. messages.Select(m => Settlement.Fin(m))]));

        // The cursor is written behind (every second) and the batches go with it.
        deadline = DateTime.UtcNow.AddSeconds(10);
        while (StoredBatches() > 0 && DateTime.UtcNow < deadline) await Task.Delay(100);
        Assert.Equal(0, StoredBatches());
    }

    [Fact]
    public async Task A_deleted_topic_leaves_nothing_in_the_log_and_its_messages_do_not_come_back()
    {
        var topic = NewTopic();
        await Grains.Topic(topic).CreateChannelAsync("c");
        await PublishAsync(topic, 0, "x", "y");
        Assert.True(await Grains.Topic(topic).DeleteAsync());
        Assert.Equal(0, StoredBatches());

        await RestartAsync();

        await Grains.Topic(topic).CreateChannelAsync("c");
        Assert.Empty(await PullAsync(topic, "c", waitMs: 300));
    }
}
