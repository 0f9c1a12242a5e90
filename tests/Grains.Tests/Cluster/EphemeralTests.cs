namespace OrleansNsq.Grains.Tests.Cluster;

public class EphemeralTests(ClusterFixture fixture) : ClusterTest(fixture)
{
    [Fact]
    public async Task Ephemeral_channel_reports_deletion_when_its_last_consumer_leaves()
    {
        var topic = NewTopic();
        var channel = await Sub(topic, "tail#ephemeral");
        var first = Guid.NewGuid();
        var second = Guid.NewGuid();

        Assert.False(await channel.SetSubscriberAsync(first, 1));
        Assert.False(await channel.SetSubscriberAsync(second, 2));
        Assert.False(await channel.SetSubscriberAsync(first, 0));
        Assert.Equal(2, (await Stats(topic, "tail#ephemeral")).ClientCount);
        Assert.True(await channel.SetSubscriberAsync(second, 0));

        Assert.True(await Topic(topic).DeleteChannelAsync("tail#ephemeral"));
        Assert.Empty(await Topic(topic).GetChannelsAsync());
        Assert.True(await Topic(topic).ExistsAsync());
    }

    [Fact]
    public async Task Durable_channel_never_reports_deletion()
    {
        var topic = NewTopic();
        var channel = await Sub(topic, "durable");
        var subscriber = Guid.NewGuid();

        await channel.SetSubscriberAsync(subscriber, 1);
        Assert.False(await channel.SetSubscriberAsync(subscriber, 0));
        Assert.False((await Stats(topic, "durable")).Ephemeral);
    }

    [Fact]
    public async Task Ephemeral_topic_is_deleted_with_its_last_channel()
    {
        var topic = NewTopic("#ephemeral");
        await Sub(topic, "a");
        await Sub(topic, "b");
        Assert.True((await Topic(topic).GetStatsAsync())!.Ephemeral);

        Assert.True(await Topic(topic).DeleteChannelAsync("a"));
        Assert.True(await Topic(topic).ExistsAsync());
        Assert.True(await Topic(topic).DeleteChannelAsync("b"));

        Assert.False(await Topic(topic).ExistsAsync());
        Assert.DoesNotContain(await Directory.GetEntriesAsync(), e => e.Topic == topic);
    }

    [Fact]
    public async Task Ephemeral_channel_whose_subscribers_go_silent_is_deleted()
    {
        var topic = NewTopic();
        var channel = await Sub(topic, "gone#ephemeral");
        Assert.False(await channel.SetSubscriberAsync(Guid.NewGuid(), 1));

        // Nobody pulls or reports: after the idle timeout (3 s here) the channel deletes itself through its topic.
        var limit = ClusterFixture.SubscriberIdleTimeout * 3;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while ((await Topic(topic).GetChannelsAsync()).Length > 0)
        {
            Assert.True(clock.Elapsed < limit, $"silent subscriber: channel still exists after {clock.Elapsed}");
            await Task.Delay(100);
        }

        Assert.True((await Pull(channel)).ChannelDeleted);
    }
}
