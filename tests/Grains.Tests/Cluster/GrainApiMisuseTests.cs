namespace OrleansNsq.Grains.Tests.Cluster;

/// <summary>The grain API refuses what NSQ's protocol would refuse, whoever calls it: one test per misuse, each
/// refused with an exception the caller sees and without changing the topic or channel.</summary>
public class GrainApiMisuseTests(ClusterFixture fixture) : ClusterTest(fixture)
{
    [Fact]
    public async Task Topic_named_with_a_slash_is_refused_by_the_grain_with_ArgumentException()
    {
        // "a/b" would make the key of its channel c, "a/b/c", read as topic "a", channel "b/c".
        var topic = Grains.GetGrain<ITopicGrain>(NewTopic("/b"));
        var refused = await Assert.ThrowsAnyAsync<ArgumentException>(() => topic.PublishAsync(new(PublishBatch.Single("m"u8))).AsTask());
        Assert.Contains("not a valid NSQ name", refused.Message);
        await Assert.ThrowsAnyAsync<ArgumentException>(() => topic.CreateChannelAsync("c").AsTask());
    }

    [Fact]
    public async Task Channel_key_that_is_not_two_names_is_refused_by_the_grain_with_ArgumentException()
    {
        var topic = NewTopic();
        foreach (var key in new[] { $"{topic}/b/c", topic, $"{topic}/", $"{topic}/a b" })
        {
            var channel = Grains.GetGrain<IChannelGrain>(key);
            var refused = await Assert.ThrowsAnyAsync<ArgumentException>(() => channel.PullAsync(Request(Guid.NewGuid())).AsTask());
            Assert.Contains("not a channel key", refused.Message);
        }
    }

    [Theory]
    [InlineData("a/b", "c")]
    [InlineData("a", "b/c")]
    [InlineData("", "c")]
    [InlineData("a", "#ephemeral")]
    [InlineData("a", "12345678901234567890123456789012345678901234567890123456789012345")]
    public void Grain_references_of_names_that_are_not_NSQ_names_throw_before_any_call(string topic, string channel)
    {
        Assert.ThrowsAny<ArgumentException>(() => Grains.Channel(topic, channel));
        if (topic != "a") Assert.ThrowsAny<ArgumentException>(() => Grains.Topic(topic));
    }

    [Fact]
    public async Task Publish_of_a_body_above_max_msg_size_is_refused_and_nothing_is_taken()
    {
        var topic = NewTopic();
        var c = await Sub(topic, "c");
        var tooBig = new byte[new ChannelOptions().MaxMsgSize + 1];

        var refused = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() =>
            Topic(topic).PublishAsync(new(PublishBatch.From([[1], tooBig]))).AsTask());
        Assert.Contains("--max-msg-size", refused.Message);

        Assert.Equal(0, (await Topic(topic).GetStatsAsync())!.MessageCount);
        await Topic(topic).PublishAsync(new(PublishBatch.Single(new byte[new ChannelOptions().MaxMsgSize])));
        Assert.Single(await PullUntil(c, 1, "a body of exactly --max-msg-size"));
    }

    [Fact]
    public void Factories_refuse_empty_bodies_broken_offsets_and_negative_defers()
    {
        Assert.Throws<ArgumentException>(() => PublishBatch.Single([]));
        Assert.Throws<ArgumentException>(() => PublishBatch.From([[1], []]));
        Assert.Throws<ArgumentOutOfRangeException>(() => PublishBatch.Single("m"u8, deferMs: -1));
        Assert.Throws<ArgumentException>(() => PublishBatch.TakeOwnership([1, 2, 3], [2, 2]));
        Assert.Throws<ArgumentException>(() => PublishBatch.TakeOwnership([1, 2, 3], [2, 1]));
        Assert.Throws<ArgumentException>(() => PublishBatch.TakeOwnership([1, 2, 3], [0]));
        Assert.Throws<ArgumentException>(() => PublishBatch.TakeOwnership([1, 2, 3], [2, 4]));
        Assert.Equal(2, PublishBatch.TakeOwnership([1, 2, 3, 0], [2, 3]).Count);
    }

    [Theory]
    [InlineData(new[] { 1, 1 })]
    [InlineData(new[] { 2, 1 })]
    [InlineData(new[] { 0 })]
    [InlineData(new[] { 1, 4 })]
    [InlineData(new[] { -1 })]
    public async Task Batch_made_without_a_factory_with_broken_offsets_is_refused_by_the_topic(int[] ends)
    {
        var topic = NewTopic();
        await Sub(topic, "c");
        // What a serialized batch from a careless or hostile caller looks like: no factory ran.
        var broken = new PublishBatch([1, 2, 3], ends);
        await Assert.ThrowsAnyAsync<ArgumentException>(() => Topic(topic).PublishAsync(new(broken)).AsTask());
        Assert.Equal(0, (await Topic(topic).GetStatsAsync())!.MessageCount);
    }

    [Fact]
    public async Task Publish_deferred_beyond_max_req_timeout_is_refused()
    {
        var topic = NewTopic();
        var tooLong = (int)new ChannelOptions().MaxReqTimeout.TotalMilliseconds + 1;
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() =>
            Topic(topic).PublishAsync(new(PublishBatch.Single("m"u8, tooLong))).AsTask());
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() =>
            Topic(topic).PublishAsync(new(new PublishBatch([1], [1], -5))).AsTask());
    }

    [Fact]
    public async Task Single_and_From_copy_so_a_caller_reusing_its_buffer_changes_no_message()
    {
        var topic = NewTopic();
        var c = await Sub(topic, "c");
        var buffer = "first"u8.ToArray();
        var single = PublishBatch.Single(buffer);
        var many = PublishBatch.From([buffer, buffer]);
        "XXXXX"u8.CopyTo(buffer);

        await Topic(topic).PublishAsync(new(single));
        await Topic(topic).PublishAsync(new(many));
        Assert.Equal(["first", "first", "first"], (await PullUntil(c, 3, "copied bodies")).Select(Text));
    }

    [Fact]
    public void Grains_own_calls_are_on_internal_interfaces_that_no_service_can_call()
    {
        var exported = typeof(IChannelGrain).Assembly.GetExportedTypes();
        Assert.DoesNotContain(typeof(IChannelFeedGrain), exported);
        Assert.DoesNotContain(typeof(ITopicDirectoryFeedGrain), exported);
        Assert.DoesNotContain(typeof(IExternalProducerDirectoryGrain), exported);
        string[] channelFeed = ["EnqueueAsync", "CreateAsync", "DeleteAsync"];
        Assert.All(channelFeed, name => Assert.Null(typeof(IChannelGrain).GetMethod(name)));
        string[] directoryFeed = ["TopicCreatedAsync", "TopicDeletedAsync", "ChannelCreatedAsync", "ChannelDeletedAsync"];
        Assert.All(directoryFeed, name => Assert.Null(typeof(ITopicDirectoryGrain).GetMethod(name)));
    }

    [Fact]
    public async Task Channel_fed_through_its_internal_interface_is_the_activation_its_consumers_pull_from()
    {
        var topic = NewTopic();
        var channel = await Sub(topic, "c");
        await Publish(topic, "m");
        Assert.Equal("m", Text(Assert.Single(await PullUntil(channel, 1, "pull through IChannelGrain"))));
        await Grains.ChannelFeed(topic, "c").DeleteAsync();
        Assert.True((await Pull(channel)).ChannelDeleted);
    }

    [Fact]
    public async Task Fin_of_a_delivery_from_before_a_reactivation_is_refused_and_reported_and_the_new_lease_stays()
    {
        var topic = NewTopic();
        var channel = await Sub(topic, "c");
        await Publish(topic, "m");
        var first = Assert.Single((await Pull(channel)).Messages);

        // The channel's activation is lost with its lease table (a failover): the message is delivered again.
        await Fixture.Cluster.DeactivateAsync(channel);
        var again = Assert.Single(await PullUntil(channel, 1, "delivery after the reactivation"));
        Assert.Equal(first.Id, again.Id);
        Assert.NotEqual(first.LeaseToken, again.LeaseToken);

        var report = await Settle(channel, Settlement.Fin(first), Settlement.Touch(first));
        Assert.Equal([0, 1], report.Refused!);
        Assert.Equal(1, (await Stats(topic, "c")).InFlightCount);
        Assert.Null((await Fin(channel, again)).Refused);
        Assert.Equal(0, (await Stats(topic, "c")).InFlightCount);
    }

    [Fact]
    public async Task Subscriber_registered_when_its_channel_was_deleted_hears_Deleted_once_even_after_a_recreation()
    {
        var topic = NewTopic();
        var channel = await Sub(topic, "c");
        var subscriber = Guid.NewGuid();
        await channel.SetSubscriberAsync(subscriber, 1);
        Assert.True(await Topic(topic).DeleteChannelAsync("c"));
        await Sub(topic, "c");

        var told = await channel.PullAsync(Request(subscriber));
        Assert.True(told.ChannelDeleted && told.DeletedByItsTopic, "the deletion, not a lost channel");
        var next = await channel.PullAsync(Request(subscriber));
        Assert.False(next.ChannelDeleted, "told once; the recreated channel serves it");
    }
}
