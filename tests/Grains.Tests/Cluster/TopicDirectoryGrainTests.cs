namespace OrleansNsq.Grains.Tests.Cluster;

public class TopicDirectoryGrainTests(ClusterFixture fixture) : ClusterTest(fixture)
{
    private async Task<TopicDirectoryEntry?> Entry(string topic) =>
        (await Directory.GetEntriesAsync()).SingleOrDefault(e => e.Topic == topic);

    [Fact]
    public async Task Created_topics_and_channels_are_listed_with_a_producer()
    {
        var topic = NewTopic();
        await Sub(topic, "z");
        await Sub(topic, "a");

        var entry = await Entry(topic);

        Assert.NotNull(entry);
        Assert.True(entry.HasProducer);
        Assert.Equal(["a", "z"], entry.Channels);
        var all = await Directory.GetEntriesAsync();
        Assert.Equal(all.Select(e => e.Topic).Order(StringComparer.Ordinal), all.Select(e => e.Topic));
    }

    [Fact]
    public async Task Published_topic_is_listed_with_a_producer()
    {
        var topic = NewTopic();
        await Publish(topic, "x");

        Assert.True((await Entry(topic))!.HasProducer);
    }

    [Fact]
    public async Task Names_registered_through_lookupd_have_no_producer()
    {
        var topic = NewTopic();

        await Directory.RegisterAsync(topic, null);
        await Directory.RegisterAsync(topic, "c");

        var entry = await Entry(topic);
        Assert.False(entry!.HasProducer);
        Assert.Equal(["c"], entry.Channels);
        Assert.False(await Topic(topic).ExistsAsync());
    }

    [Fact]
    public async Task Unregister_removes_a_channel_or_a_topic_and_is_false_for_unknown_names()
    {
        var topic = NewTopic();
        await Sub(topic, "a");
        await Sub(topic, "b");

        Assert.True(await Directory.UnregisterAsync(topic, "a"));
        Assert.False(await Directory.UnregisterAsync(topic, "a"));
        Assert.Equal(["b"], (await Entry(topic))!.Channels);
        Assert.True(await Directory.UnregisterAsync(topic, null));
        Assert.Null(await Entry(topic));
        Assert.False(await Directory.UnregisterAsync(topic, null));
    }

    [Fact]
    public async Task Tombstone_is_reported_until_it_expires()
    {
        var topic = NewTopic();
        await Topic(topic).CreateAsync();
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        await Directory.TombstoneAsync(topic, "node:4151", TimeSpan.FromSeconds(45));

        var until = (await Entry(topic))!.TombstonedUntil("node:4151");
        Assert.InRange(until, before + 45_000, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 45_000);
    }
}
