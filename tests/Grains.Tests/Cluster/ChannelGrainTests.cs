using System.Diagnostics;

namespace OrleansNsq.Grains.Tests.Cluster;

public class ChannelGrainTests(ClusterFixture fixture) : ClusterTest(fixture)
{
    [Fact]
    public async Task Sub_of_an_unsaved_channel_whose_activation_was_lost_makes_it_serve_again()
    {
        // An #ephemeral channel is never saved, so a lost activation comes back not knowing it exists.
        var topic = NewTopic();
        var channel = await Sub(topic, "c#ephemeral");
        await Fixture.Cluster.DeactivateAsync(channel);
        var lost = await Pull(channel);
        Assert.True(lost.ChannelDeleted, "a lost activation does not know it exists");
        Assert.False(lost.DeletedByItsTopic, "nor that it was deleted: it was not");

        await Sub(topic, "c#ephemeral");
        await Publish(topic, "back");

        Assert.Equal("back", Text(Assert.Single(await PullUntil(channel, 1, "pull after SUB again"))));
    }

    [Fact]
    public async Task A_saved_channel_whose_activation_was_lost_restores_itself_and_serves()
    {
        var topic = NewTopic();
        var channel = await Sub(topic, "c");
        await Fixture.Cluster.DeactivateAsync(channel);
        Assert.False((await Pull(channel)).ChannelDeleted, "the new activation read its saved metadata");

        await Publish(topic, "back");

        Assert.Equal("back", Text(Assert.Single(await PullUntil(channel, 1, "pull after reactivation"))));
    }

    [Fact]
    public async Task Messages_of_a_channel_are_spread_among_two_subscribers()
    {
        var topic = NewTopic();
        var channel = await Sub(topic, "c");
        await Publish(topic, Bodies("m", 100));
        var first = Guid.NewGuid();
        var second = Guid.NewGuid();

        var gotFirst = new List<DeliveredMessage>();
        var gotSecond = new List<DeliveredMessage>();
        for (var round = 0; gotFirst.Count + gotSecond.Count < 100; round++)
        {
            Assert.True(round < 100, $"spread: only {gotFirst.Count + gotSecond.Count} of 100 after {round} rounds");
            gotFirst.AddRange((await Pull(channel, maxCount: 7, subscriber: first)).Messages);
            gotSecond.AddRange((await Pull(channel, maxCount: 7, subscriber: second)).Messages);
        }

        Assert.NotEmpty(gotFirst);
        Assert.NotEmpty(gotSecond);
        Assert.Equal(Bodies("m", 100).Order(), gotFirst.Concat(gotSecond).Select(Text).Order());
        Assert.Empty(gotFirst.Select(m => m.Id).Intersect(gotSecond.Select(m => m.Id)));
    }

    [Fact]
    public async Task Pull_is_capped_at_max_count()
    {
        var topic = NewTopic();
        var channel = await Sub(topic, "c");
        await Publish(topic, Bodies("m", 10));

        var batch = await Pull(channel, maxCount: 4);

        Assert.Equal(4, batch.Count);
        Assert.Equal(6, (await Stats(topic, "c")).Depth);
    }

    [Fact]
    public async Task Waiting_pull_is_answered_when_a_message_arrives()
    {
        var topic = NewTopic();
        var channel = await Sub(topic, "c");

        var waiting = channel.PullAsync(Request(Guid.NewGuid(), waitMs: 10_000)).AsTask();
        await Publish(topic, "late");

        var batch = await Within(waiting, "waiting pull answered by publish");
        Assert.Equal("late", Text(Assert.Single(batch.Messages)));
    }

    [Fact]
    public async Task Waiting_pull_answers_empty_when_its_wait_runs_out()
    {
        var topic = NewTopic();
        var channel = await Sub(topic, "c");
        var clock = Stopwatch.StartNew();

        var batch = await Within(channel.PullAsync(Request(Guid.NewGuid(), waitMs: 200)).AsTask(), "wait runs out");

        Assert.Empty(batch.Messages);
        Assert.False(batch.ChannelDeleted);
        Assert.True(clock.ElapsedMilliseconds >= 150, $"answered after {clock.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task Cancel_pull_answers_the_subscribers_waiting_pull_with_empty()
    {
        var topic = NewTopic();
        var channel = await Sub(topic, "c");
        var subscriber = Guid.NewGuid();

        var waiting = channel.PullAsync(Request(subscriber, waitMs: 20_000)).AsTask();
        // The cancel may overtake the pull; repeat it until the pull has been reached and answered.
        var clock = Stopwatch.StartNew();
        while (!waiting.IsCompleted)
        {
            Assert.True(clock.Elapsed < PhaseTimeout, "cancel pull: pull still waiting");
            await channel.CancelPullAsync(subscriber);
            await Task.WhenAny(waiting, Task.Delay(20));
        }

        Assert.Empty((await waiting).Messages);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), "answered at once, not at the end of its wait");
    }

    [Fact]
    public async Task Timed_out_message_is_redelivered_with_attempts_2()
    {
        var topic = NewTopic();
        var channel = await Sub(topic, "c");
        await Publish(topic, "slow");

        var first = Assert.Single((await Pull(channel, msgTimeoutMs: 300)).Messages);
        var again = Assert.Single(await PullUntil(channel, 1, "redelivery after timeout"));

        Assert.Equal(1, first.Attempts);
        Assert.Equal((first.Id, first.TimestampNs, "slow"), (again.Id, again.TimestampNs, Text(again)));
        Assert.Equal(2, again.Attempts);
        var stats = await Stats(topic, "c");
        Assert.Equal((1L, 0L, 1L), (stats.TimeoutCount, stats.RequeueCount, stats.InFlightCount));
    }

    [Fact]
    public async Task Fin_ends_the_lease_so_the_message_never_comes_back()
    {
        var topic = NewTopic();
        var channel = await Sub(topic, "c");
        await Publish(topic, "done");

        var message = Assert.Single((await Pull(channel, msgTimeoutMs: 1_000)).Messages);
        var report = await Settle(channel, Settlement.Fin(message), Settlement.Fin(message with { Id = 424242 }));
        Assert.Equal([1], report.Refused!);

        // Past the lease's deadline: a message still in flight would have come back by now.
        Assert.Empty((await Pull(channel, waitMs: 1_500)).Messages);
        var stats = await Stats(topic, "c");
        Assert.Equal((0L, 0L, 0L), (stats.InFlightCount, stats.TimeoutCount, stats.Depth));
    }

    [Fact]
    public async Task Requeue_with_delay_redelivers_after_the_delay()
    {
        var topic = NewTopic();
        var channel = await Sub(topic, "c");
        await Publish(topic, "again");
        var message = Assert.Single((await Pull(channel)).Messages);

        var clock = Stopwatch.StartNew();
        await Settle(channel, new Settlement(message.Id, message.LeaseToken, SettlementKind.Requeue, 300));
        var deferred = await Stats(topic, "c");
        var again = Assert.Single(await PullUntil(channel, 1, "redelivery after REQ 300"));

        Assert.Equal((1L, 0L, 0L, 1L), (deferred.DeferredCount, deferred.Depth, deferred.InFlightCount, deferred.RequeueCount));
        Assert.True(clock.ElapsedMilliseconds >= 250, $"redelivered after {clock.ElapsedMilliseconds} ms");
        Assert.Equal((message.Id, 2), (again.Id, (int)again.Attempts));
    }

    [Fact]
    public async Task Requeue_0_redelivers_at_once_with_attempts_2()
    {
        var topic = NewTopic();
        var channel = await Sub(topic, "c");
        await Publish(topic, "again");
        var message = Assert.Single((await Pull(channel)).Messages);

        await Settle(channel, new Settlement(message.Id, message.LeaseToken, SettlementKind.Requeue));
        var again = Assert.Single((await Pull(channel)).Messages);

        Assert.Equal((message.Id, 2), (again.Id, (int)again.Attempts));
    }

    [Fact]
    public async Task Deferred_publish_reaches_the_channel_after_the_delay()
    {
        var topic = NewTopic();
        var channel = await Sub(topic, "c");
        var clock = Stopwatch.StartNew();

        await Publish(topic, 300, "later");
        var waiting = await Stats(topic, "c");
        var message = Assert.Single(await PullUntil(channel, 1, "DPUB 300 due"));

        Assert.Equal((1L, 1L, 0L), (waiting.MessageCount, waiting.DeferredCount, waiting.Depth));
        Assert.True(clock.ElapsedMilliseconds >= 250, $"delivered after {clock.ElapsedMilliseconds} ms");
        Assert.Equal(("later", 1), (Text(message), (int)message.Attempts));
        Assert.Equal(1, (await Topic(topic).GetStatsAsync())!.MessageCount);
    }

    [Fact]
    public async Task Touch_extends_the_lease_past_its_first_deadline()
    {
        var topic = NewTopic();
        var channel = await Sub(topic, "c");
        await Publish(topic, "long job");
        var message = Assert.Single((await Pull(channel, msgTimeoutMs: 1_000)).Messages);

        await Settle(channel, new Settlement(message.Id, message.LeaseToken, SettlementKind.Touch, 3_000));

        // Well past the first deadline (1 s): still in flight, nothing redelivered.
        Assert.Empty((await Pull(channel, waitMs: 1_800)).Messages);
        var stats = await Stats(topic, "c");
        Assert.Equal((1L, 0L), (stats.InFlightCount, stats.TimeoutCount));
        var again = Assert.Single(await PullUntil(channel, 1, "expiry of the touched lease"));
        Assert.Equal(2, again.Attempts);
    }

    [Fact]
    public async Task Paused_channel_delivers_nothing_until_unpaused()
    {
        var topic = NewTopic();
        var channel = await Sub(topic, "c");
        await Publish(topic, "1", "2");
        var inFlight = Assert.Single((await Pull(channel, maxCount: 1)).Messages);

        await channel.SetPausedAsync(true);
        Assert.Empty((await Pull(channel, waitMs: 100)).Messages);
        await Fin(channel, inFlight);
        var paused = await Stats(topic, "c");
        Assert.Equal((true, 1L, 0L), (paused.Paused, paused.Depth, paused.InFlightCount));

        var waiting = channel.PullAsync(Request(Guid.NewGuid(), waitMs: 10_000)).AsTask();
        await channel.SetPausedAsync(false);

        Assert.Equal("2", Text(Assert.Single((await Within(waiting, "pull answered after unpause")).Messages)));
    }

    [Fact]
    public async Task Empty_channel_drops_ready_in_flight_and_deferred_messages()
    {
        var topic = NewTopic();
        var channel = await Sub(topic, "c");
        await Publish(topic, Bodies("m", 5));
        await Publish(topic, 60_000, "deferred");
        var leased = await Pull(channel, maxCount: 2);

        await channel.EmptyAsync();
        await Settle(channel, new Settlement(leased.Messages[0].Id, leased.Messages[0].LeaseToken, SettlementKind.Requeue));

        var stats = await Stats(topic, "c");
        Assert.Equal((0L, 0L, 0L, 6L), (stats.Depth, stats.InFlightCount, stats.DeferredCount, stats.MessageCount));
        Assert.Empty((await Pull(channel)).Messages);
        await Publish(topic, "after");
        Assert.Equal("after", Text(Assert.Single(await PullUntil(channel, 1, "channel works after empty"))));
    }

    [Fact]
    public async Task Deleted_channel_answers_a_waiting_pull_and_every_later_pull_with_deleted()
    {
        var topic = NewTopic();
        var channel = await Sub(topic, "c");
        await Sub(topic, "other");

        var waiting = channel.PullAsync(Request(Guid.NewGuid(), waitMs: 20_000)).AsTask();
        Assert.True(await Topic(topic).DeleteChannelAsync("c"));

        Assert.True((await Within(waiting, "waiting pull after delete")).ChannelDeleted);
        Assert.True((await Pull(channel)).ChannelDeleted);
        Assert.False(await Topic(topic).DeleteChannelAsync("c"));
        Assert.Equal(["other"], await Topic(topic).GetChannelsAsync());
        Assert.Equal(["other"], (await Directory.GetEntriesAsync()).Single(e => e.Topic == topic).Channels);
        Assert.True(await Topic(topic).ExistsAsync());
    }

    [Fact]
    public async Task Deleted_channel_created_again_starts_fresh()
    {
        var topic = NewTopic();
        var channel = await Sub(topic, "c");
        await Publish(topic, "1", "2");
        await Pull(channel, maxCount: 1);
        await channel.SetPausedAsync(true);
        Assert.True(await Topic(topic).DeleteChannelAsync("c"));

        await Sub(topic, "c");
        await Publish(topic, "3");

        var stats = await Stats(topic, "c");
        Assert.Equal((1L, 1L, 0L, false), (stats.MessageCount, stats.Depth, stats.InFlightCount, stats.Paused));
        Assert.Equal("3", Text(Assert.Single(await PullUntil(channel, 1, "pull from the new channel"))));
    }

    [Fact]
    public async Task Release_returns_a_message_without_counting_the_attempt()
    {
        var topic = NewTopic();
        var channel = await Sub(topic, "c");
        await Publish(topic, "unsent");
        var message = Assert.Single((await Pull(channel)).Messages);

        await Settle(channel, new Settlement(message.Id, message.LeaseToken, SettlementKind.Release));

        Assert.Equal(1, Assert.Single((await Pull(channel)).Messages).Attempts);
        Assert.Equal(0, (await Stats(topic, "c")).RequeueCount);
    }
}
