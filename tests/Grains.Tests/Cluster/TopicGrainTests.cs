namespace OrleansNsq.Grains.Tests.Cluster;

public class TopicGrainTests(ClusterFixture fixture) : ClusterTest(fixture)
{
    [Fact]
    public async Task Every_channel_gets_a_copy_of_every_message_with_the_same_id_and_timestamp()
    {
        var topic = NewTopic();
        var a = await Sub(topic, "a");
        var b = await Sub(topic, "b");

        await Publish(topic, Bodies("x", 60));
        await Publish(topic, Bodies("y", 40));

        var fromA = await PullUntil(a, 100, "pull channel a");
        var fromB = await PullUntil(b, 100, "pull channel b");
        Assert.Equal(fromA.Select(m => (m.Id, m.TimestampNs, Text(m))), fromB.Select(m => (m.Id, m.TimestampNs, Text(m))));
        Assert.Equal(Bodies("x", 60).Concat(Bodies("y", 40)), fromA.Select(Text));
        Assert.Equal(100, fromA.Select(m => m.Id).Distinct().Count());
        Assert.True(fromA.Zip(fromA.Skip(1)).All(p => p.First.Id < p.Second.Id), "ids grow across batches");
    }

    [Fact]
    public async Task Topic_without_channel_holds_messages_until_the_first_channel_takes_them()
    {
        var topic = NewTopic();
        await Publish(topic, "1", "2", "3");

        var held = await Topic(topic).GetStatsAsync();
        Assert.Equal((3L, 3L), (held!.Depth, held.MessageCount));
        Assert.Empty(held.Channels);

        var first = await Sub(topic, "first");
        var later = await Sub(topic, "later");
        Assert.Equal(["1", "2", "3"], (await PullUntil(first, 3, "backlog to the first channel")).Select(Text));
        Assert.Equal(0, (await Topic(topic).GetStatsAsync())!.Depth);
        Assert.Empty((await Pull(later)).Messages);

        await Publish(topic, "4");
        Assert.Equal("4", Text(Assert.Single(await PullUntil(first, 1, "new message to first"))));
        Assert.Equal("4", Text(Assert.Single(await PullUntil(later, 1, "new message to later"))));
    }

    [Fact]
    public async Task Paused_topic_holds_messages_and_unpause_hands_them_to_every_channel()
    {
        var topic = NewTopic();
        var a = await Sub(topic, "a");
        var b = await Sub(topic, "b");
        await Publish(topic, "before");

        Assert.True(await Topic(topic).SetPausedAsync(true));
        await Publish(topic, "during1", "during2");

        var paused = (await Topic(topic).GetStatsAsync())!;
        Assert.True(paused.Paused);
        Assert.Equal(2, paused.Depth);
        Assert.All(paused.Channels, c => Assert.Equal(1, c.Depth));
        Assert.Equal("before", Text(Assert.Single(await PullUntil(a, 1, "channels keep serving while the topic is paused"))));

        Assert.True(await Topic(topic).SetPausedAsync(false));
        Assert.Equal(["during1", "during2"], (await PullUntil(a, 2, "unpaused to a")).Select(Text));
        Assert.Equal(["before", "during1", "during2"], (await PullUntil(b, 3, "unpaused to b")).Select(Text));
        Assert.Equal(0, (await Topic(topic).GetStatsAsync())!.Depth);
    }

    [Fact]
    public async Task Empty_topic_drops_only_the_messages_the_topic_holds()
    {
        var topic = NewTopic();
        var channel = await Sub(topic, "c");
        await Publish(topic, "kept1", "kept2");
        await Topic(topic).SetPausedAsync(true);
        await Publish(topic, "dropped");

        Assert.True(await Topic(topic).EmptyAsync());
        await Topic(topic).SetPausedAsync(false);

        var stats = (await Topic(topic).GetStatsAsync())!;
        Assert.Equal((0L, 3L), (stats.Depth, stats.MessageCount));
        Assert.Equal(["kept1", "kept2"], (await PullUntil(channel, 2, "channel keeps its messages")).Select(Text));
        Assert.Empty((await Pull(channel)).Messages);
    }

    [Fact]
    public async Task Deleted_topic_deletes_its_channels_and_a_recreated_topic_starts_fresh()
    {
        var topic = NewTopic();
        var channel = await Sub(topic, "c");
        await Publish(topic, "old");
        var oldId = (await PullUntil(channel, 1, "before delete"))[0].Id;

        Assert.True(await Topic(topic).DeleteAsync());

        Assert.False(await Topic(topic).ExistsAsync());
        Assert.Null(await Topic(topic).GetStatsAsync());
        Assert.True((await Pull(channel)).ChannelDeleted);
        Assert.False(await Topic(topic).DeleteAsync());
        Assert.DoesNotContain(await Directory.GetEntriesAsync(), e => e.Topic == topic);

        await Publish(topic, "new");
        var fresh = (await Topic(topic).GetStatsAsync())!;
        Assert.Equal((1L, 1L, 3L), (fresh.Depth, fresh.MessageCount, fresh.MessageBytes));
        Assert.Empty(fresh.Channels);
        var again = await Sub(topic, "c");
        var newMessage = Assert.Single(await PullUntil(again, 1, "after recreate"));
        Assert.Equal("new", Text(newMessage));
        Assert.True(newMessage.Id > oldId, "ids never repeat");
    }

    [Fact]
    public async Task Operations_on_a_missing_topic_answer_false_or_null()
    {
        var topic = NewTopic();

        Assert.False(await Topic(topic).ExistsAsync());
        Assert.False(await Topic(topic).SetPausedAsync(true));
        Assert.False(await Topic(topic).EmptyAsync());
        Assert.False(await Topic(topic).DeleteChannelAsync("c"));
        Assert.Null(await Topic(topic).GetStatsAsync());
        Assert.Empty(await Topic(topic).GetChannelsAsync());

        await Topic(topic).CreateAsync();
        Assert.True(await Topic(topic).ExistsAsync());
        Assert.False(await Topic(topic).DeleteChannelAsync("c"));
    }

    [Fact]
    public async Task Stats_count_messages_bytes_requeues_timeouts_and_clients_per_channel_sorted_by_name()
    {
        var topic = NewTopic();
        var b = await Sub(topic, "b");
        var a = await Sub(topic, "a");
        await Publish(topic, "12345", "678");
        await Publish(topic, "9");

        var leased = await PullUntil(a, 3, "lease from a", msgTimeoutMs: 60_000);
        await Settle(a, new Settlement(leased[0].Id, leased[0].LeaseToken, SettlementKind.Requeue), new Settlement(leased[1].Id, leased[1].LeaseToken, SettlementKind.Finish));
        await a.PullAsync(Request(Guid.NewGuid(), maxCount: 1, msgTimeoutMs: 100));
        var subscriber = Guid.NewGuid();
        await a.SetSubscriberAsync(subscriber, 3);
        await a.SetSubscriberAsync(Guid.NewGuid(), 2);
        await a.SetSubscriberAsync(subscriber, 1);

        var timedOut = await PullUntil(a, 1, "timed-out message comes back");
        var stats = (await Topic(topic).GetStatsAsync())!;

        Assert.Equal((3L, 9L, 0L), (stats.MessageCount, stats.MessageBytes, stats.Depth));
        Assert.Equal(["a", "b"], stats.Channels.Select(c => c.ChannelName));
        var statsA = stats.Channels[0];
        Assert.Equal(3, timedOut[0].Attempts); // first delivery, after REQ 0, after the timeout
        Assert.Equal(3, statsA.MessageCount);
        Assert.Equal(1, statsA.RequeueCount);
        Assert.Equal(1, statsA.TimeoutCount);
        Assert.Equal(0, statsA.Depth);
        Assert.Equal(2, statsA.InFlightCount);
        Assert.Equal(3, statsA.ClientCount);
        Assert.Equal((3L, 3L, 0L), (stats.Channels[1].Depth, stats.Channels[1].MessageCount, stats.Channels[1].InFlightCount));
        Assert.Equal("b", Assert.Single((await Topic(topic).GetStatsAsync("b"))!.Channels).ChannelName);
        Assert.Empty((await Topic(topic).GetStatsAsync("nope"))!.Channels);
        Assert.Equal(["a", "b"], await Topic(topic).GetChannelsAsync());
    }
}
