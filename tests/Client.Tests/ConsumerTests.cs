using System.Collections.Concurrent;
using System.Diagnostics;
using OrleansNsq.EndToEnd.Tests.Infrastructure;

namespace OrleansNsq.Client.Tests;

[Collection(SilosCollection.Name)]
public sealed class ConsumerTests(TwoSilos silos, ITestOutputHelper output) : ClientTest(silos, output)
{
    private NsqConsumer Consumer(NsqConsumerOptions options, Func<NsqMessage, CancellationToken, Task> handler) =>
        new(options, handler, new TestOutputLogger<NsqConsumer>(Output));

    private async Task PublishAsync(SiloProcess silo, string topic, IEnumerable<string> bodies)
    {
        await using var producer = new NsqProducer(new NsqProducerOptions { NsqdTcpAddress = silo.TcpAddress, ConnectionCount = 1 });
        await producer.MultiPublishAsync(topic, bodies.Select(Bytes).ToArray());
    }

    /// <summary>Two nsqd addresses (two Silo processes), one connection to each: RDY 5 on each, every message once.</summary>
    [Fact]
    public async Task TestRdySpreadOverTwoNsqdsDeliversEveryMessageOnce()
    {
        var (topic, channel) = (Unique("spread"), Unique("ch"));
        await CreateChannelAsync(HttpA, topic, channel);
        await CreateChannelAsync(HttpB, topic, channel);
        await PublishAsync(Silos.A, topic, Enumerable.Range(0, 100).Select(i => $"a{i}"));
        await PublishAsync(Silos.B, topic, Enumerable.Range(0, 100).Select(i => $"b{i}"));

        var received = new ConcurrentDictionary<string, int>();
        var sources = new ConcurrentDictionary<string, int>();
        await using var consumer = Consumer(
            new() { Topic = topic, Channel = channel, NsqdTcpAddresses = [Silos.A.TcpAddress, Silos.B.TcpAddress], MaxInFlight = 10 },
            (m, _) =>
            {
                received.AddOrUpdate(Text(m.Body), 1, (_, n) => n + 1);
                sources.AddOrUpdate(m.NsqdAddress, 1, (_, n) => n + 1);
                return Task.CompletedTask;
            });
        await consumer.StartAsync();
        Assert.Equal(2, consumer.ConnectedNsqds.Count);

        await BoundedWait.UntilAsync("all received", "200 distinct", Wait, () => Task.FromResult((received.Count == 200, $"{received.Count}")));
        await DrainedAsync(HttpA, topic, channel);
        await DrainedAsync(HttpB, topic, channel);
        Assert.All(received.Values, n => Assert.Equal(1, n));
        Assert.Equal(100, sources[Silos.A.TcpAddress]);
        Assert.Equal(100, sources[Silos.B.TcpAddress]);
    }

    /// <summary>MaxInFlight 1 over two nsqds: RDY 1 sits on one connection and moves to the other when it goes idle.</summary>
    [Fact]
    public async Task TestRdyRotatesWhenMaxInFlightIsBelowConnections()
    {
        var (topic, channel) = (Unique("rotate"), Unique("ch"));
        await CreateChannelAsync(HttpA, topic, channel);
        await CreateChannelAsync(HttpB, topic, channel);
        await PublishAsync(Silos.A, topic, Enumerable.Range(0, 10).Select(i => $"a{i}"));
        await PublishAsync(Silos.B, topic, Enumerable.Range(0, 10).Select(i => $"b{i}"));

        var received = new ConcurrentDictionary<string, int>();
        var concurrent = 0;
        var maxConcurrent = 0;
        await using var consumer = Consumer(
            new()
            {
                Topic = topic, Channel = channel, NsqdTcpAddresses = [Silos.A.TcpAddress, Silos.B.TcpAddress], MaxInFlight = 1,
                RdyRedistributeInterval = TimeSpan.FromMilliseconds(200),
            },
            async (m, _) =>
            {
                var now = Interlocked.Increment(ref concurrent);
                InterlockedMax(ref maxConcurrent, now);
                await Task.Delay(5);
                received.AddOrUpdate(Text(m.Body), 1, (_, n) => n + 1);
                Interlocked.Decrement(ref concurrent);
            });
        await consumer.StartAsync();

        await BoundedWait.UntilAsync("all received", "20 distinct", Wait, () => Task.FromResult((received.Count == 20, $"{received.Count}")));
        Assert.All(received.Values, n => Assert.Equal(1, n));
        Assert.Equal(1, maxConcurrent);
    }

    /// <summary>A failing handler: REQ with a delay that doubles per attempt, attempts grow, the consumer backs off.</summary>
    [Fact]
    public async Task TestHandlerFailureRequeuesWithGrowingDelayAndBacksOff()
    {
        var (topic, channel) = (Unique("backoff"), Unique("ch"));
        await CreateChannelAsync(HttpA, topic, channel);
        await PublishAsync(Silos.A, topic, ["x"]);

        var attempts = new ConcurrentQueue<(int Attempts, TimeSpan At)>();
        var clock = Stopwatch.StartNew();
        var sawBackoff = false;
        NsqConsumer? self = null;
        await using var consumer = Consumer(
            new()
            {
                Topic = topic, Channel = channel, NsqdTcpAddresses = [Silos.A.TcpAddress], MaxInFlight = 5,
                DefaultRequeueDelay = TimeSpan.FromMilliseconds(200), BackoffMultiplier = TimeSpan.FromMilliseconds(50),
            },
            (m, _) =>
            {
                if (Text(m.Body) != "x")
                {
                    return Task.CompletedTask;
                }

                attempts.Enqueue((m.Attempts, clock.Elapsed));
                sawBackoff |= self!.IsInBackoff;
                return m.Attempts < 3 ? throw new InvalidOperationException($"fail attempt {m.Attempts}") : Task.CompletedTask;
            });
        self = consumer;
        await consumer.StartAsync();

        await BoundedWait.UntilAsync("finished", "attempt 3 handled and finished", Wait,
            () => Task.FromResult((consumer.MessagesFinished == 1, $"{attempts.Count} attempts, finished {consumer.MessagesFinished}")));
        var seen = attempts.ToArray();
        Assert.Equal(3, seen.Length);
        Assert.Equal([1, 2, 3], seen.Select(a => a.Attempts));
        Assert.Equal(2, consumer.MessagesRequeued);
        // REQ 200 ms after attempt 1, REQ 400 ms after attempt 2 (some slack for the timer granularity)
        Assert.True(seen[1].At - seen[0].At >= TimeSpan.FromMilliseconds(180), $"gap 1→2 {seen[1].At - seen[0].At}");
        Assert.True(seen[2].At - seen[1].At >= TimeSpan.FromMilliseconds(380), $"gap 2→3 {seen[2].At - seen[1].At}");
        Assert.True(sawBackoff, "the redelivery came while the consumer was backing off (RDY 1 test connection)");
        // As go-nsq, each failure raised the backoff level and each success in a test step lowers it by one: two
        // failures, one success so far, so one more success ends the backoff.
        Assert.True(consumer.IsInBackoff);
        await PublishAsync(Silos.A, topic, ["y"]);
        await BoundedWait.UntilAsync("backoff over", "IsInBackoff false after the second success", Wait,
            () => Task.FromResult((!consumer.IsInBackoff, $"in backoff {consumer.IsInBackoff}, finished {consumer.MessagesFinished}")));
        Assert.Equal(2, consumer.MessagesFinished);
        await DrainedAsync(HttpA, topic, channel);
    }

    [Fact]
    public async Task TestMaxAttemptsFinishesTheMessageAndReportsIt()
    {
        var (topic, channel) = (Unique("maxatt"), Unique("ch"));
        await CreateChannelAsync(HttpA, topic, channel);
        await PublishAsync(Silos.A, topic, ["poison"]);

        var handled = 0;
        var givenUp = new TaskCompletionSource<NsqMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var consumer = Consumer(
            new()
            {
                Topic = topic, Channel = channel, NsqdTcpAddresses = [Silos.A.TcpAddress], MaxAttempts = 2,
                DefaultRequeueDelay = TimeSpan.Zero, BackoffMultiplier = TimeSpan.FromMilliseconds(10),
                MaxAttemptsExceeded = m =>
                {
                    givenUp.TrySetResult(m);
                    return Task.CompletedTask;
                },
            },
            (_, _) =>
            {
                Interlocked.Increment(ref handled);
                throw new InvalidOperationException("always fails");
            });
        await consumer.StartAsync();

        var message = await BoundedWait.ForAsync(givenUp.Task, "max attempts exceeded", Wait);
        Assert.Equal(3, message.Attempts);
        Assert.Equal("poison", Text(message.Body));
        Assert.Equal(2, handled);
        await DrainedAsync(HttpA, topic, channel);
        // The FIN reaches nsqd before the consumer counts it as sent: wait for the count, do not race it.
        await BoundedWait.UntilAsync("the FIN counted", "1 message finished", Wait,
            () => Task.FromResult((consumer.MessagesFinished == 1, $"{consumer.MessagesFinished} finished")));
    }

    /// <summary>MaxAttempts 3 with a dead-letter topic: the handler runs for attempts 1, 2 and 3, and the third failure
    /// parks the body in the dead-letter topic and finishes the message: there is no fourth delivery.</summary>
    [Fact]
    public async Task DeadLetterTopic_parks_the_message_on_its_last_failed_attempt_without_another_delivery()
    {
        var (topic, channel, parked) = (Unique("dlq"), Unique("ch"), Unique("dlq-parked"));
        await CreateChannelAsync(HttpA, topic, channel);
        await CreateChannelAsync(HttpA, parked, "inspect");
        await PublishAsync(Silos.A, topic, ["poison"]);

        var attempts = new ConcurrentQueue<int>();
        var reported = 0;
        await using var consumer = Consumer(
            new()
            {
                Topic = topic, Channel = channel, NsqdTcpAddresses = [Silos.A.TcpAddress], MaxAttempts = 3, DeadLetterTopic = parked,
                DefaultRequeueDelay = TimeSpan.Zero, BackoffMultiplier = TimeSpan.FromMilliseconds(10),
                MaxAttemptsExceeded = _ =>
                {
                    Interlocked.Increment(ref reported);
                    return Task.CompletedTask;
                },
            },
            (m, _) =>
            {
                attempts.Enqueue(m.Attempts);
                throw new InvalidOperationException("always fails");
            });
        await consumer.StartAsync();

        await BoundedWait.UntilAsync("parked", "1 dead-lettered", Wait,
            () => Task.FromResult((consumer.MessagesDeadLettered == 1, $"{consumer.MessagesDeadLettered} parked, attempts [{string.Join(",", attempts)}]")));
        await DrainedAsync(HttpA, topic, channel);
        Assert.Equal([1, 2, 3], attempts);
        Assert.Equal(2, consumer.MessagesRequeued);
        Assert.Equal(0, reported);
        var stats = await HttpA.StatsAsync(parked);
        Assert.Equal(1, stats.ChannelCounter(parked, "inspect", "depth"));

        var body = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var inspector = Consumer(new() { Topic = parked, Channel = "inspect", NsqdTcpAddresses = [Silos.A.TcpAddress] },
            (m, _) =>
            {
                body.TrySetResult($"{Text(m.Body)} attempt {m.Attempts}");
                return Task.CompletedTask;
            });
        await inspector.StartAsync();
        Assert.Equal("poison attempt 1", await BoundedWait.ForAsync(body.Task, "the parked message", Wait));
    }

    [Fact]
    public async Task TestLookupdDiscoveryFindsTheNsqd()
    {
        var (topic, channel) = (Unique("lookup"), Unique("ch"));
        await CreateChannelAsync(HttpA, topic, channel);
        await PublishAsync(Silos.A, topic, ["found"]);

        var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var consumer = Consumer(
            new() { Topic = topic, Channel = channel, LookupdHttpAddresses = [Silos.A.LookupdHttpAddress], LookupdPollInterval = TimeSpan.FromMilliseconds(300) },
            (m, _) =>
            {
                received.TrySetResult(Text(m.Body) + "@" + m.NsqdAddress);
                return Task.CompletedTask;
            });
        await consumer.StartAsync();

        Assert.Equal($"found@{Silos.A.TcpAddress}", await BoundedWait.ForAsync(received.Task, "message via lookupd", Wait));
    }

    [Fact]
    public async Task TestLookupdPollConnectsToATopicCreatedLater()
    {
        var (topic, channel) = (Unique("later"), Unique("ch"));
        var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var consumer = Consumer(
            new() { Topic = topic, Channel = channel, LookupdHttpAddresses = [Silos.B.LookupdHttpAddress], LookupdPollInterval = TimeSpan.FromMilliseconds(300) },
            (m, _) =>
            {
                received.TrySetResult(Text(m.Body));
                return Task.CompletedTask;
            });
        await consumer.StartAsync();
        Assert.Empty(consumer.ConnectedNsqds);

        await CreateChannelAsync(HttpB, topic, channel);
        await PublishAsync(Silos.B, topic, ["late"]);
        Assert.Equal("late", await BoundedWait.ForAsync(received.Task, "message after a later lookupd poll", Wait));
    }

    [Fact]
    public async Task TestStopWaitsForInFlightHandlers()
    {
        var (topic, channel) = (Unique("stop"), Unique("ch"));
        await CreateChannelAsync(HttpA, topic, channel);
        await PublishAsync(Silos.A, topic, Enumerable.Range(0, 5).Select(i => $"s{i}"));

        var started = 0;
        var completed = 0;
        var allStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var consumer = Consumer(
            new() { Topic = topic, Channel = channel, NsqdTcpAddresses = [Silos.A.TcpAddress], MaxInFlight = 5 },
            async (_, ct) =>
            {
                if (Interlocked.Increment(ref started) == 5)
                {
                    allStarted.TrySetResult();
                }

                await Task.Delay(500, ct);
                Interlocked.Increment(ref completed);
            });
        await consumer.StartAsync();
        await BoundedWait.ForAsync(allStarted.Task, "5 handlers running", Wait);

        await BoundedWait.ForAsync(consumer.StopAsync(), "graceful stop", Wait);
        Assert.Equal(5, completed);
        Assert.Equal(5, consumer.MessagesFinished);
        Assert.Empty(consumer.ConnectedNsqds);
        await DrainedAsync(HttpA, topic, channel);
        await consumer.DisposeAsync();
    }

    [Fact]
    public async Task TestManualResponseWithTouch()
    {
        var (topic, channel) = (Unique("manual"), Unique("ch"));
        await CreateChannelAsync(HttpA, topic, channel);
        await PublishAsync(Silos.A, topic, ["m"]);

        var pending = new TaskCompletionSource<NsqMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var consumer = Consumer(
            new() { Topic = topic, Channel = channel, NsqdTcpAddresses = [Silos.A.TcpAddress] },
            (m, _) =>
            {
                m.DisableAutoResponse();
                pending.TrySetResult(m);
                return Task.CompletedTask;
            });
        await consumer.StartAsync();

        var message = await BoundedWait.ForAsync(pending.Task, "message delivered", Wait);
        await Task.Delay(100);
        var stats = await HttpA.StatsAsync(topic);
        Assert.Equal(1, stats.ChannelCounter(topic, channel, "in_flight_count")); // the handler returned; nothing was sent
        await message.TouchAsync();
        await message.FinishAsync();
        Assert.True(message.HasResponded);
        await DrainedAsync(HttpA, topic, channel);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while (value > (current = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
