using OrleansNsq.Client.Testing;

namespace OrleansNsq.Client.Tests;

/// <summary>Handlers and publishers tested without a server: <see cref="NsqMessageFactory"/> and <see cref="InMemoryNsq"/>.</summary>
public sealed class InMemoryNsqTests
{
    /// <summary>What an application's handler looks like: reads an order, publishes an invoice through INsqProducer.</summary>
    private sealed class Billing(INsqProducer producer)
    {
        public async Task HandleAsync(NsqMessage message, CancellationToken cancellationToken)
        {
            var order = message.GetBody(TestJson.Default.Order);
            if (order.Amount <= 0)
            {
                throw new InvalidOperationException($"order {order.Id} has no amount");
            }

            await producer.PublishAsync("invoices", order with { Lines = [$"invoice for {order.Id}"] }, TestJson.Default.Order, cancellationToken);
        }
    }

    [Fact]
    public void Factory_makes_a_message_with_the_given_header()
    {
        var at = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123);
        var message = NsqMessageFactory.Create("body"u8.ToArray(), attempts: 3, id: "0123456789abcdef", timestamp: at);

        Assert.Equal("body"u8.ToArray(), message.Body.ToArray());
        Assert.Equal(3, message.Attempts);
        Assert.Equal("0123456789abcdef", message.Id);
        Assert.Equal(at, message.Timestamp);
        Assert.Equal(NsqMessageOutcome.None, message.Outcome);
        Assert.NotEqual(NsqMessageFactory.Create("a"u8.ToArray()).Id, NsqMessageFactory.Create("a"u8.ToArray()).Id);
        Assert.Throws<ArgumentException>(() => NsqMessageFactory.Create("a"u8.ToArray(), id: "short"));
    }

    [Fact]
    public async Task A_handler_is_tested_with_a_factory_message_and_the_in_memory_producer()
    {
        var nsq = new InMemoryNsq();
        var billing = new Billing(nsq);
        var message = NsqMessageFactory.Create(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new Order("o-9", 5, []), TestJson.Default.Order));

        await billing.HandleAsync(message, CancellationToken.None);

        var invoice = Assert.Single(nsq.Published("invoices"));
        Assert.Equal(["invoice for o-9"], System.Text.Json.JsonSerializer.Deserialize(invoice.Span, TestJson.Default.Order)!.Lines);
        await message.FinishAsync();
        await message.RequeueAsync(); // a second answer is ignored
        Assert.Equal(NsqMessageOutcome.Finished, message.Outcome);
    }

    [Fact]
    public async Task Delivery_finishes_on_return_and_delivers_again_with_one_more_attempt_on_throw()
    {
        var nsq = new InMemoryNsq();
        await nsq.PublishAsync("orders", new Order("o-1", 1, []), TestJson.Default.Order);
        await nsq.PublishAsync("orders", new Order("o-2", 0, []), TestJson.Default.Order);
        var billing = new Billing(nsq);

        var delivered = await nsq.DeliverAsync("orders", billing.HandleAsync, maxDeliveries: 4);

        Assert.Equal(
            ["o-1#1 Finished", "o-2#1 Requeued", "o-2#2 Requeued", "o-2#3 Requeued"],
            delivered.Select(m => $"{m.GetBody(TestJson.Default.Order).Id}#{m.Attempts} {m.Outcome}"));
        Assert.Equal(1, nsq.Depth("orders"));
        Assert.Single(nsq.Published("invoices"));
    }

    [Fact]
    public async Task In_memory_producer_refuses_what_nsqd_refuses()
    {
        var nsq = new InMemoryNsq();
        Assert.Equal("E_BAD_TOPIC", (await Assert.ThrowsAsync<NsqErrorException>(() => nsq.PublishAsync("bad!topic", "x"u8.ToArray()))).Code);
        Assert.Equal("E_BAD_MESSAGE", (await Assert.ThrowsAsync<NsqErrorException>(() => nsq.PublishAsync("t", ReadOnlyMemory<byte>.Empty))).Code);

        nsq.FailPublishesWith = new NsqConnectionException("nsqd is down");
        await Assert.ThrowsAsync<NsqConnectionException>(() => nsq.PublishAsync("t", "x"u8.ToArray()));
        Assert.Empty(nsq.Published("t"));
    }
}
