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
}
