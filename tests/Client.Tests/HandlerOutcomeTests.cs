using OrleansNsq.EndToEnd.Tests.Infrastructure;

namespace OrleansNsq.Client.Tests;

/// <summary>What the consumer answers for a handler's outcome, against a fake nsqd that sends the messages itself.</summary>
public sealed class HandlerOutcomeTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    /// <summary>Regression: a handler that threw <see cref="NsqConnectionException"/> (from its own producer, say) was
    /// taken for a lost consumer connection: no REQ, the message waited out nsqd's msg_timeout and the connection's
    /// in-flight count never came down.</summary>
    [Fact]
    public async Task A_handler_throwing_NsqConnectionException_is_requeued_at_once()
    {
        using var fake = new FakeNsqd();
        using var timeout = new CancellationTokenSource(Wait);
        await using var consumer = new NsqConsumer(
            new NsqConsumerOptions
            {
                Topic = "t", Channel = "c", NsqdTcpAddresses = [fake.Address],
                DefaultRequeueDelay = TimeSpan.FromMilliseconds(250), MaxBackoffDuration = TimeSpan.Zero,
            },
            (_, _) => throw new NsqConnectionException("the handler's own producer lost its nsqd"));

        var start = consumer.StartAsync(timeout.Token);
        using var session = await fake.AcceptAsync(timeout.Token);
        Assert.Equal("RDY 1", await session.ServeUntilAsync("RDY", timeout.Token));
        await start;

        await session.SendMessageAsync("0123456789abcdef", 1, "x", timeout.Token);
        Assert.Equal("REQ 0123456789abcdef 250", await session.ServeUntilAsync("REQ", timeout.Token));
        Assert.Equal(0, consumer.MessagesInFlight);
        await BoundedWait.UntilAsync("the REQ counted", "1 requeued", Wait,
            () => Task.FromResult((consumer.MessagesRequeued == 1, $"{consumer.MessagesRequeued} requeued")));
    }

    /// <summary>With AutoTouch a running handler's message is touched every half msg_timeout (8 s from the IDENTIFY
    /// answer here: every 4 s), and finished when the handler returns.</summary>
    [Fact]
    public async Task AutoTouch_touches_a_running_handlers_message_every_half_msg_timeout()
    {
        using var fake = new FakeNsqd { IdentifyAnswer = """{"max_rdy_count":2500,"msg_timeout":8000}""" };
        using var timeout = new CancellationTokenSource(Wait);
        var time = new SignallingTime();
        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var consumer = new NsqConsumer(
            new NsqConsumerOptions { Topic = "t", Channel = "c", NsqdTcpAddresses = [fake.Address], AutoTouch = true },
            async (_, _) =>
            {
                running.TrySetResult();
                await release.Task;
            },
            null, time);

        var start = consumer.StartAsync(timeout.Token);
        using var session = await fake.AcceptAsync(timeout.Token);
        await session.ServeUntilAsync("RDY", timeout.Token);
        await start;

        await session.SendMessageAsync("0123456789abcdef", 1, "long job", timeout.Token);
        await BoundedWait.ForAsync(running.Task, "handler running", Wait);
        for (var touch = 1; touch <= 2; touch++)
        {
            await time.TimerArmedAsync(TimeSpan.FromSeconds(4), $"touch {touch} timer");
            time.Advance(TimeSpan.FromSeconds(4));
            Assert.Equal("TOUCH 0123456789abcdef", await session.ServeUntilAsync("TOUCH", timeout.Token));
        }

        release.TrySetResult();
        Assert.Equal("FIN 0123456789abcdef", await session.ServeUntilAsync("FIN", timeout.Token));
    }

    /// <summary>Stop sends CLS, then waits for the running handler and its FIN; the wait is signalled, not a poll on the
    /// consumer's clock (a fake clock that nobody advances would hold it for ever).</summary>
    [Fact]
    public async Task Stop_waits_for_the_running_handler_and_its_FIN_on_a_clock_that_does_not_move()
    {
        using var fake = new FakeNsqd();
        using var timeout = new CancellationTokenSource(Wait);
        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var consumer = new NsqConsumer(
            new NsqConsumerOptions { Topic = "t", Channel = "c", NsqdTcpAddresses = [fake.Address] },
            async (_, _) =>
            {
                running.TrySetResult();
                await release.Task;
            },
            null, new Microsoft.Extensions.Time.Testing.FakeTimeProvider());
        var start = consumer.StartAsync(timeout.Token);
        using var session = await fake.AcceptAsync(timeout.Token);
        await session.ServeUntilAsync("RDY", timeout.Token);
        await start;
        await session.SendMessageAsync("0123456789abcdef", 1, "x", timeout.Token);
        await BoundedWait.ForAsync(running.Task, "handler running", Wait);

        var stop = consumer.StopAsync(timeout.Token);
        Assert.Equal("CLS", await session.ServeUntilAsync("CLS", timeout.Token));
        Assert.False(stop.IsCompleted, "stop waits for the running handler");
        release.TrySetResult();
        Assert.Equal("FIN 0123456789abcdef", await session.ServeUntilAsync("FIN", timeout.Token));
        await BoundedWait.ForAsync(stop, "stop after the handler", Wait);
        Assert.Equal(1, consumer.MessagesFinished);
    }
}
