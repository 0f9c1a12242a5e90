using OrleansNsq.Consumers;
using OrleansNsq.Grains.Tests.Cluster;

namespace OrleansNsq.Grains.Tests.Consumers;

/// <summary>The grain API's consumer against real channel grains: SUB, RDY as backpressure, FIN/REQ/TOUCH in batches,
/// msg_timeout, ephemeral deletion. Each rule is one test.</summary>
public class ChannelConsumerTests(ClusterFixture fixture) : ClusterTest(fixture)
{
    private static async Task<DeliveredMessage> Next(IAsyncEnumerator<DeliveredMessage> reader, string phase)
    {
        Assert.True(await Within(reader.MoveNextAsync().AsTask(), phase), $"{phase}: the reader ended");
        return reader.Current;
    }

    private Task<ChannelConsumer> Subscribe(string topic, string channel, ChannelConsumerOptions? options = null) =>
        ChannelConsumer.SubscribeAsync(Grains, topic, channel, options ?? new ChannelConsumerOptions { PullWait = TimeSpan.FromSeconds(2) });

    [Fact]
    public async Task Subscribe_registers_a_consumer_and_Fin_of_every_message_drains_the_channel()
    {
        var topic = NewTopic();
        var consumer = await Subscribe(topic, "c");
        Assert.Equal(1, (await Stats(topic, "c")).ClientCount);
        await Publish(topic, Bodies("m", 5));

        var got = new List<string>();
        await using (var reader = consumer.ReadAllAsync().GetAsyncEnumerator())
        {
            for (var i = 0; i < 5; i++)
            {
                var message = await Next(reader, $"message {i}");
                Assert.Equal(1, message.Attempts);
                Assert.True(consumer.Fin(message), $"FIN of message {i}");
                got.Add(Text(message));
            }
        }
        await Within(consumer.FlushAsync().ContinueWith(_ => true), "flush");

        Assert.Equal(Bodies("m", 5).Order(), got.Order());
        var stats = await Stats(topic, "c");
        Assert.Equal((0L, 0L, 5L), (stats.Depth, stats.InFlightCount, stats.MessageCount));
        await consumer.DisposeAsync();
        Assert.Equal(0, (await Stats(topic, "c")).ClientCount);
    }

    [Fact]
    public async Task Consumer_holds_no_more_than_max_in_flight_until_a_Fin_frees_a_slot()
    {
        var topic = NewTopic();
        await using var consumer = await Subscribe(topic, "c", new ChannelConsumerOptions { MaxInFlight = 3, PullWait = TimeSpan.FromSeconds(2) });
        await Publish(topic, Bodies("m", 10));
        await using var reader = consumer.ReadAllAsync().GetAsyncEnumerator();
        var first = await Next(reader, "message 1");
        await Next(reader, "message 2");
        await Next(reader, "message 3");

        var fourth = reader.MoveNextAsync().AsTask();
        var stats = await Stats(topic, "c");

        Assert.Equal((3L, 7L), (stats.InFlightCount, stats.Depth));
        Assert.False(fourth.IsCompleted, "a fourth message arrived while 3 (max-in-flight) were in flight");
        Assert.True(consumer.Fin(first));
        Assert.True(await Within(fourth, "message 4 after a FIN"));
        Assert.Equal(3, consumer.InFlightCount);
    }

    [Fact]
    public async Task Req_delivers_the_message_again_with_attempts_2()
    {
        var topic = NewTopic();
        await using var consumer = await Subscribe(topic, "c");
        await Publish(topic, "again");
        await using var reader = consumer.ReadAllAsync().GetAsyncEnumerator();

        var first = await Next(reader, "first delivery");
        Assert.True(consumer.Req(first));
        var second = await Next(reader, "delivery after REQ");

        Assert.Equal((first.Id, "again", (ushort)2), (second.Id, Text(second), second.Attempts));
        Assert.True(consumer.Fin(second));
        await consumer.FlushAsync();
        var stats = await Stats(topic, "c");
        Assert.Equal((1L, 0L, 0L), (stats.RequeueCount, stats.InFlightCount, stats.Depth));
    }

    [Fact]
    public async Task Touch_keeps_a_message_in_flight_past_its_msg_timeout()
    {
        var topic = NewTopic();
        // Real clock: a touch every eighth of msg_timeout leaves a loaded 2-core machine 1.75 s of stall before a
        // late touch would let the message time out.
        var msgTimeout = TimeSpan.FromMilliseconds(2000);
        await using var consumer = await Subscribe(topic, "c", new ChannelConsumerOptions { MsgTimeout = msgTimeout, PullWait = TimeSpan.FromSeconds(2) });
        await Publish(topic, "slow");
        await using var reader = consumer.ReadAllAsync().GetAsyncEnumerator();
        var message = await Next(reader, "delivery");

        // 1.6 msg_timeouts of work, touching every eighth of one.
        for (var i = 0; i < 13; i++)
        {
            await Task.Delay(msgTimeout / 8);
            Assert.True(consumer.Touch(message), $"TOUCH {i}");
        }

        Assert.True(consumer.Fin(message), "FIN after the touches");
        await consumer.FlushAsync();
        var stats = await Stats(topic, "c");
        Assert.Equal((0L, 0L, 0L), (stats.TimeoutCount, stats.InFlightCount, stats.Depth));
    }

    [Fact]
    public async Task A_message_not_settled_within_msg_timeout_frees_its_slot_and_comes_again_with_attempts_2()
    {
        var topic = NewTopic();
        await using var consumer = await Subscribe(topic, "c", new ChannelConsumerOptions
        {
            MaxInFlight = 1, MsgTimeout = TimeSpan.FromMilliseconds(200), PullWait = TimeSpan.FromSeconds(2),
        });
        await Publish(topic, "forgotten");
        await using var reader = consumer.ReadAllAsync().GetAsyncEnumerator();

        var first = await Next(reader, "first delivery");
        var again = await Next(reader, "delivery after the timeout");

        Assert.Equal((first.Id, (ushort)2), (again.Id, again.Attempts));
        Assert.Equal(1L, (await Stats(topic, "c")).TimeoutCount);
    }

    [Fact]
    public async Task Stopping_the_reader_mid_batch_hands_the_unread_messages_back()
    {
        var topic = NewTopic();
        await using var consumer = await Subscribe(topic, "c");
        await Publish(topic, Bodies("m", 5));

        await foreach (var message in consumer.ReadAllAsync())
        {
            Assert.Equal(1, message.Attempts);
            break;
        }
        await consumer.FlushAsync();
        Assert.Equal(1, consumer.InFlightCount);

        // The consumer's next long poll may still be out at the channel and take the handed-back messages before its
        // cancel arrives; the pump then hands them back again, a moment later.
        var stats = await Stats(topic, "c");
        using var bound = new CancellationTokenSource(PhaseTimeout);
        while ((stats.InFlightCount, stats.Depth) != (1L, 4L) && !bound.IsCancellationRequested)
        {
            await consumer.FlushAsync();
            stats = await Stats(topic, "c");
        }
        Assert.Equal((1L, 4L), (stats.InFlightCount, stats.Depth));
    }

    [Fact]
    public async Task Fin_of_an_id_not_in_flight_is_false()
    {
        var topic = NewTopic();
        await using var consumer = await Subscribe(topic, "c");

        Assert.False(consumer.Fin(12345));
        Assert.False(consumer.Req(12345));
        Assert.False(consumer.Touch(12345));
    }

    [Fact]
    public async Task Reader_ends_when_the_channel_is_deleted()
    {
        var topic = NewTopic();
        await using var consumer = await Subscribe(topic, "c");
        await using var reader = consumer.ReadAllAsync().GetAsyncEnumerator();
        var next = reader.MoveNextAsync().AsTask();

        Assert.True(await Topic(topic).DeleteChannelAsync("c"));

        Assert.False(await Within(next, "reader after /channel/delete"));
        Assert.True(consumer.ChannelDeleted);
        Assert.Equal(0, consumer.Resubscriptions);
    }

    [Fact]
    public async Task Disposing_the_last_consumer_of_an_ephemeral_channel_deletes_it()
    {
        var topic = NewTopic();
        var consumer = await Subscribe(topic, "tail#ephemeral");
        Assert.Equal(["tail#ephemeral"], await Topic(topic).GetChannelsAsync());

        await consumer.DisposeAsync();

        Assert.Empty(await Topic(topic).GetChannelsAsync());
    }

    [Fact]
    public async Task Cancelling_the_reader_ends_a_waiting_long_poll_at_once()
    {
        var topic = NewTopic();
        await using var consumer = await Subscribe(topic, "c", new ChannelConsumerOptions { PullWait = ChannelConsumerOptions.MaxPullWait });
        using var cancel = new CancellationTokenSource();
        await using var reader = consumer.ReadAllAsync(cancel.Token).GetAsyncEnumerator();
        var next = reader.MoveNextAsync().AsTask();

        await cancel.CancelAsync();

        Assert.False(await Within(next, "reader after cancel"));
    }

    [Fact]
    public async Task PullWait_at_or_above_Orleans_response_timeout_is_refused_when_subscribing()
    {
        var topic = NewTopic();
        Assert.Equal(TimeSpan.FromSeconds(20), ChannelConsumerOptions.MaxPullWait);
        foreach (var wait in new[] { ChannelConsumerOptions.MaxPullWait + TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(-1) })
        {
            var refused = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() =>
                Subscribe(topic, "c", new ChannelConsumerOptions { PullWait = wait }));
            Assert.Equal(nameof(ChannelConsumerOptions.PullWait), refused.ParamName);
        }
        Assert.Null(await Topic(topic).GetStatsAsync());
    }

    [Fact]
    public async Task After_a_failover_that_loses_the_channel_a_stale_Fin_is_refused_and_the_consumer_resubscribes()
    {
        // An #ephemeral channel is never saved: the activation that replaces a failed one does not know it.
        var topic = NewTopic();
        const string channel = "c#ephemeral";
        await using var consumer = await Subscribe(topic, channel,
            new ChannelConsumerOptions { PullWait = TimeSpan.FromSeconds(2), RetryDelay = TimeSpan.FromMilliseconds(50) });
        await Publish(topic, "before");
        await using var reader = consumer.ReadAllAsync().GetAsyncEnumerator();
        var before = await Next(reader, "the message before the failover");

        var resubscribed = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        consumer.Resubscribed += () => resubscribed.TrySetResult(true);
        await Fixture.Cluster.DeactivateAsync(Channel(topic, channel));
        await Within(resubscribed.Task, "the consumer subscribes again");

        Assert.Equal(1, consumer.Resubscriptions);

        Assert.False(consumer.Fin(before), "FIN of a delivery from the lost channel");
        Assert.False(consumer.ChannelDeleted);
        Assert.Equal(1, (await Stats(topic, channel)).ClientCount);
        await Publish(topic, "after");
        var after = await Next(reader, "the message after the resubscription");
        Assert.Equal("after", Text(after));
        Assert.True(consumer.Fin(after));
        await Within(consumer.FlushAsync().ContinueWith(_ => true), "flush");
        Assert.Equal(0, (await Stats(topic, channel)).InFlightCount);
    }

    [Fact]
    public async Task After_a_failover_of_a_saved_channel_the_earlier_delivery_cannot_be_settled_and_reading_goes_on()
    {
        var topic = NewTopic();
        await using var consumer = await Subscribe(topic, "c",
            new ChannelConsumerOptions { PullWait = TimeSpan.FromSeconds(2), RetryDelay = TimeSpan.FromMilliseconds(50) });
        await Publish(topic, "m");
        await using var reader = consumer.ReadAllAsync().GetAsyncEnumerator();
        var first = await Next(reader, "first delivery");

        // The new activation reads its cursor back, where the message in flight is ready again.
        await Fixture.Cluster.DeactivateAsync(Channel(topic, "c"));
        var again = await Next(reader, "the delivery after the failover");

        Assert.Equal(first.Id, again.Id);
        Assert.NotEqual(first.LeaseToken, again.LeaseToken);
        Assert.False(consumer.Fin(first), "FIN of the delivery from before the failover");
        Assert.False(consumer.Touch(first), "TOUCH of it");
        Assert.True(consumer.Fin(again));
        await Within(consumer.FlushAsync().ContinueWith(_ => true), "flush");
        Assert.Equal((0L, 0L), ((await Stats(topic, "c")).InFlightCount, consumer.Resubscriptions));
    }
}
