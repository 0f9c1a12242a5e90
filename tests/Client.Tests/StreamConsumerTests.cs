using OrleansNsq.EndToEnd.Tests.Infrastructure;

namespace OrleansNsq.Client.Tests;

/// <summary>A consumer read as an <see cref="IAsyncEnumerable{T}"/>, against a Silo: RDY holds delivery back while the
/// reader has MaxInFlight unanswered messages, the reader's FIN and REQ go to nsqd, and stop requeues what nobody read.</summary>
[Collection(SilosCollection.Name)]
public sealed class StreamConsumerTests(TwoSilos silos, ITestOutputHelper output) : ClientTest(silos, output)
{
    private async Task PublishAsync(string topic, int count)
    {
        await using var producer = new NsqProducer(new NsqProducerOptions { NsqdTcpAddress = Silos.A.TcpAddress, ConnectionCount = 1 });
        await producer.MultiPublishAsync(topic, Enumerable.Range(0, count).Select(i => Bytes($"m{i}")).ToArray());
    }

    [Fact]
    public async Task Reader_gets_at_most_MaxInFlight_unanswered_messages_and_answers_them_itself()
    {
        var (topic, channel) = (Unique("stream"), Unique("ch"));
        await CreateChannelAsync(HttpA, topic, channel);
        await PublishAsync(topic, 20);
        await using var consumer = new NsqConsumer(
            new NsqConsumerOptions { Topic = topic, Channel = channel, NsqdTcpAddresses = [Silos.A.TcpAddress], MaxInFlight = 5, DefaultRequeueDelay = TimeSpan.Zero, MaxBackoffDuration = TimeSpan.Zero },
            new TestOutputLogger<NsqConsumer>(Output));
        await consumer.StartAsync();
        using var timeout = new CancellationTokenSource(Wait);
        await using var reader = consumer.ReadAllAsync(timeout.Token).GetAsyncEnumerator(timeout.Token);

        var held = new List<NsqMessage>();
        while (held.Count < 5 && await reader.MoveNextAsync())
        {
            held.Add(reader.Current);
        }

        // nsqd's own view: 5 in flight to us, 15 waiting; RDY 5 lets no sixth through until one is answered
        await BoundedWait.UntilAsync("RDY holds delivery", "in flight 5, depth 15", Wait, async () =>
        {
            var stats = await HttpA.StatsAsync(topic);
            return (stats.ChannelCounter(topic, channel, "in_flight_count") == 5 && stats.ChannelCounter(topic, channel, "depth") == 15,
                stats.Describe(topic, channel));
        });
        Assert.Equal(5, consumer.MessagesReceived);

        await held[0].RequeueAsync(); // a failure: back to nsqd, delivered again with attempts 2
        foreach (var message in held.Skip(1))
        {
            await message.FinishAsync();
        }

        var finished = held.Skip(1).Select(m => Text(m.Body)).ToHashSet();
        var requeued = Text(held[0].Body);
        var redelivered = 0;
        while (finished.Count < 20 && await reader.MoveNextAsync())
        {
            var message = reader.Current;
            if (Text(message.Body) == requeued)
            {
                Assert.Equal(2, message.Attempts);
                redelivered++;
            }

            finished.Add(Text(message.Body));
            await message.FinishAsync();
        }

        Assert.Equal(20, finished.Count);
        Assert.Equal(1, redelivered);
        await DrainedAsync(HttpA, topic, channel);
        Assert.Equal(1, consumer.MessagesRequeued);
    }

    [Fact]
    public async Task Stop_requeues_the_messages_no_reader_took()
    {
        var (topic, channel) = (Unique("streamstop"), Unique("ch"));
        await CreateChannelAsync(HttpA, topic, channel);
        await PublishAsync(topic, 5);
        var consumer = new NsqConsumer(
            new NsqConsumerOptions { Topic = topic, Channel = channel, NsqdTcpAddresses = [Silos.A.TcpAddress], MaxInFlight = 5 },
            new TestOutputLogger<NsqConsumer>(Output));
        await consumer.StartAsync();
        using var timeout = new CancellationTokenSource(Wait);
        await using (var reader = consumer.ReadAllAsync(timeout.Token).GetAsyncEnumerator(timeout.Token))
        {
            Assert.True(await reader.MoveNextAsync());
            await reader.Current.FinishAsync();
        }

        await BoundedWait.UntilAsync("all five arrived", "5 received", Wait,
            () => Task.FromResult((consumer.MessagesReceived == 5, $"{consumer.MessagesReceived} received")));
        await BoundedWait.ForAsync(consumer.StopAsync(), "stop", Wait);

        Assert.Equal(4, consumer.MessagesRequeued);
        Assert.Equal(0, consumer.MessagesInFlight);
        await BoundedWait.UntilAsync("requeued to nsqd", "depth 4, in flight 0", Wait, async () =>
        {
            var stats = await HttpA.StatsAsync(topic);
            return (stats.ChannelCounter(topic, channel, "depth") == 4 && stats.ChannelCounter(topic, channel, "in_flight_count") == 0,
                stats.Describe(topic, channel));
        });
        await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await using var handled = new NsqConsumer(new NsqConsumerOptions { Topic = topic, Channel = channel, NsqdTcpAddresses = [Silos.A.TcpAddress] }, (_, _) => Task.CompletedTask);
            await foreach (var _ in handled.ReadAllAsync())
            {
            }
        });
        await consumer.DisposeAsync();
    }
}
