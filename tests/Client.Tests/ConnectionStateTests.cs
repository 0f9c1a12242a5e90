using Microsoft.Extensions.Time.Testing;
using OrleansNsq.EndToEnd.Tests.Infrastructure;

namespace OrleansNsq.Client.Tests;

/// <summary>Start with nsqds down, reconnects with backoff and jitter, and the state events, against fake nsqds on
/// loopback and a fake clock for the waits between dials.</summary>
public sealed class ConnectionStateTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    private static NsqConsumerOptions Options(params string[] nsqds) => new()
    {
        Topic = "t", Channel = "c", NsqdTcpAddresses = nsqds, MaxInFlight = 2,
        ReconnectDelay = TimeSpan.FromSeconds(1), MaxReconnectDelay = TimeSpan.FromSeconds(4),
    };

    private static void AssertDelay(NsqConnectionStateChangedEventArgs change, int attempt, double ceilingSeconds)
    {
        Assert.Equal(attempt, change.Attempt);
        Assert.InRange(change.Delay, TimeSpan.FromSeconds(ceilingSeconds / 2), TimeSpan.FromSeconds(ceilingSeconds));
    }

    [Fact]
    public async Task Start_succeeds_while_one_nsqd_is_down_and_dials_it_again_with_growing_jittered_delays()
    {
        using var timeout = new CancellationTokenSource(Wait);
        using var up = new FakeNsqd();
        var downPort = FreePorts.Take(1)[0];
        var down = $"127.0.0.1:{downPort}";
        var time = new FakeTimeProvider();
        var states = new StateChanges();
        await using var consumer = new NsqConsumer(Options(up.Address, down), (_, _) => Task.CompletedTask, null, time);
        consumer.ConnectionStateChanged += states.On;

        var start = consumer.StartAsync(timeout.Token);
        using var session = await up.AcceptAsync(timeout.Token);
        Assert.Equal("RDY 2", await session.ServeUntilAsync("RDY", timeout.Token));
        await start;
        Assert.Equal([up.Address], consumer.ConnectedNsqds);
        await states.ExpectAsync(up.Address, NsqConnectionState.Connected, "the reachable nsqd");

        // 1 s, 2 s, 4 s, then capped at 4 s; each drawn between half and all of it
        double[] ceilings = [1, 2, 4, 4];
        NsqConnectionStateChangedEventArgs? redial = null;
        for (var attempt = 1; attempt <= ceilings.Length; attempt++)
        {
            redial = await states.ExpectAsync(down, NsqConnectionState.Reconnecting, $"redial {attempt} scheduled");
            AssertDelay(redial, attempt, ceilings[attempt - 1]);
            Assert.IsType<NsqConnectionException>(redial.Exception);
            if (attempt < ceilings.Length)
            {
                time.Advance(redial.Delay); // the dial is refused: nothing listens yet
            }
        }

        using var late = new FakeNsqd(downPort);
        time.Advance(redial!.Delay);
        using var lateSession = await late.AcceptAsync(timeout.Token);
        Assert.Equal("RDY 1", await lateSession.ServeUntilAsync("RDY", timeout.Token));
        await states.ExpectAsync(down, NsqConnectionState.Connected, "the late nsqd");
        Assert.Equal(2, consumer.ConnectedNsqds.Count);
    }

    [Fact]
    public async Task Start_fails_when_no_nsqd_can_be_reached()
    {
        var ports = FreePorts.Take(2);
        var states = new StateChanges();
        await using var consumer = new NsqConsumer(
            Options($"127.0.0.1:{ports[0]}", $"127.0.0.1:{ports[1]}"), (_, _) => Task.CompletedTask, null, new FakeTimeProvider());
        consumer.ConnectionStateChanged += states.On;

        var error = await Assert.ThrowsAsync<NsqConnectionException>(() => consumer.StartAsync());
        Assert.Contains("no nsqd of t/c could be reached", error.Message);
        Assert.False(states.TryNext(out var change), $"no reconnects after a failed start, saw {change}");
    }

    [Fact]
    public async Task A_lost_connection_is_reported_then_dialled_again()
    {
        using var timeout = new CancellationTokenSource(Wait);
        using var fake = new FakeNsqd();
        var time = new FakeTimeProvider();
        var states = new StateChanges();
        await using var consumer = new NsqConsumer(Options(fake.Address), (_, _) => Task.CompletedTask, null, time);
        consumer.ConnectionStateChanged += states.On;
        var start = consumer.StartAsync(timeout.Token);
        using (var first = await fake.AcceptAsync(timeout.Token))
        {
            await first.ServeUntilAsync("RDY", timeout.Token);
            await start;
            await states.ExpectAsync(fake.Address, NsqConnectionState.Connected, "first connection");
        } // the fake drops the connection

        var lost = await states.ExpectAsync(fake.Address, NsqConnectionState.Disconnected, "connection dropped");
        Assert.NotNull(lost.Exception);
        var redial = await states.ExpectAsync(fake.Address, NsqConnectionState.Reconnecting, "redial scheduled");
        AssertDelay(redial, 1, 1);
        Assert.Same(lost.Exception, redial.Exception);

        time.Advance(redial.Delay);
        using var second = await fake.AcceptAsync(timeout.Token);
        Assert.Equal("RDY 2", await second.ServeUntilAsync("RDY", timeout.Token));
        await states.ExpectAsync(fake.Address, NsqConnectionState.Connected, "second connection");
    }

    [Fact]
    public async Task Producer_reports_its_connection_lost_and_dialled_again_by_the_next_publish()
    {
        using var timeout = new CancellationTokenSource(Wait);
        using var fake = new FakeNsqd();
        var states = new StateChanges();
        await using var producer = new NsqProducer(new NsqProducerOptions { NsqdTcpAddress = fake.Address, ConnectionCount = 1 });
        producer.ConnectionStateChanged += states.On;

        var publish = producer.PublishAsync("t", "one"u8.ToArray(), timeout.Token);
        using (var first = await fake.AcceptAsync(timeout.Token))
        {
            Assert.StartsWith("PUB t", await first.ServeUntilAsync("PUB", timeout.Token));
            await publish;
            await states.ExpectAsync(fake.Address, NsqConnectionState.Connected, "first connection");
        }

        var lost = await states.ExpectAsync(fake.Address, NsqConnectionState.Disconnected, "connection dropped");
        Assert.NotNull(lost.Exception);

        publish = producer.PublishAsync("t", "two"u8.ToArray(), timeout.Token);
        var redial = await states.ExpectAsync(fake.Address, NsqConnectionState.Reconnecting, "the publish dials again");
        Assert.Equal(1, redial.Attempt);
        Assert.Equal(TimeSpan.Zero, redial.Delay);
        using var second = await fake.AcceptAsync(timeout.Token);
        Assert.StartsWith("PUB t", await second.ServeUntilAsync("PUB", timeout.Token));
        await publish;
        await states.ExpectAsync(fake.Address, NsqConnectionState.Connected, "second connection");
    }
}
