using OrleansNsq.Messages;

namespace OrleansNsq.Gateway.Tests.Connections;

/// <summary>The gateway's side of a channel under the awkward timings: RDY changing while a pull is out, consumers
/// leaving and arriving, slow sockets.</summary>
[Collection(GatewayCollection.Name)]
public sealed class SubscriptionTests(GatewayFixture gateway)
{
    /// <summary>Gives the subscription's pump time to put its long poll on the channel grain; there is no signal for
    /// it, and the rules below only show when the poll is out.</summary>
    private static readonly TimeSpan PumpPullsAgain = TimeSpan.FromMilliseconds(300);

    [Fact]
    public async Task Message_leased_after_every_consumer_lowered_RDY_goes_back_to_the_channel()
    {
        var topic = GatewayFixture.NewName("rdy-drop-release");
        await using var consumer = await gateway.ConsumerAsync(topic, "ch", rdy: 1);
        await gateway.PublishAsync(topic, "first");
        var first = await consumer.ExpectMessageAsync();
        await consumer.FinAsync(first.Id);
        await Task.Delay(PumpPullsAgain); // the pump's next pull (for 1) now waits in the grain

        await consumer.RdyAsync(0);
        await consumer.SendAsync("NOP\n");
        await gateway.PublishAsync(topic, "second");

        // nsqd leases only to a client with room: another gateway's subscriber must get the message now, not after
        // the lease this gateway could not use has timed out (60 s).
        var other = await gateway.Grains.Channel(topic, "ch").PullAsync(new PullRequest(Guid.NewGuid(), 1, 0, 5_000));
        Assert.Equal(["second"], other.Messages.Select(m => System.Text.Encoding.UTF8.GetString(m.Body.Span)));
        Assert.Equal(1, other.Messages[0].Attempts);
        await consumer.ExpectNothingAsync(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task Sub_racing_a_channel_delete_never_joins_a_subscription_that_stopped_pulling()
    {
        // The subscription learns of the delete from its pull, closes the consumers it has and stops pulling; a SUB
        // that lands before those consumers have left must not join it, or it waits with RDY > 0 forever.
        const int rounds = 15, subscribers = 4;
        for (var round = 0; round < rounds; round++)
        {
            var topic = GatewayFixture.NewName("delete-race");
            await using var old = await gateway.ConsumerAsync(topic, "ch", rdy: 1);
            await Task.Delay(50); // the old consumer's pull waits in the grain
            var clients = new V2Client[subscribers];
            for (var i = 0; i < subscribers; i++)
            {
                clients[i] = await gateway.ConnectAsync();
                await clients[i].IdentifyAsync("{}");
                await clients[i].ExpectResponseAsync("OK");
            }
            try
            {
                Assert.True(await gateway.Grains.Topic(topic).DeleteChannelAsync("ch"));
                await Task.WhenAll(clients.Select(c => c.SendAsync($"SUB {topic} ch\nRDY 1\n")));
                var subscribed = new List<V2Client>();
                foreach (var client in clients)
                    if (await client.ReadFrameAsync() is { Text: "OK" }) subscribed.Add(client);
                await gateway.PublishAsync(topic, [.. Enumerable.Range(0, subscribers).Select(i => $"m{i}")]);

                foreach (var client in subscribed)
                {
                    Frame? frame;
                    try { frame = await client.ReadFrameAsync(TimeSpan.FromSeconds(3)); }
                    catch (TimeoutException) { frame = null; Assert.Fail($"round {round}: a consumer that SUBbed during the delete got nothing in 3 s"); }
                    Assert.True(frame is null || frame.Type == 2, $"round {round}: expected a message or a close, got type {frame?.Type}");
                }
            }
            finally
            {
                foreach (var client in clients) await client.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Consumer_that_stops_reading_is_dropped_after_a_blocked_write_of_one_heartbeat_interval()
    {
        // nsqd gives every write a deadline of one heartbeat interval; a client that keeps sending (NOP) but never
        // reads would otherwise keep its connection, and its messages, forever.
        var topic = GatewayFixture.NewName("slow-reader");
        const int count = 16;
        var body = new string('x', 512 * 1024);
        await using var slow = await V2Client.ConnectAsync(gateway.TcpPort, receiveBufferSize: 4096);
        await slow.SendAsync([.. V2Client.Command("IDENTIFY", """{"heartbeat_interval":1000}"""u8.ToArray()),
            .. System.Text.Encoding.ASCII.GetBytes($"SUB {topic} ch\nRDY {count}\n")]);
        await using (var producer = await gateway.ConnectAsync())
        {
            for (var i = 0; i < count; i++)
            {
                await producer.PubAsync(topic, body);
                await producer.ExpectResponseAsync("OK");
            }
        }

        // Liveness (NOP) all along, so only the blocked write can end the connection.
        using var stopNops = new CancellationTokenSource();
        var nops = Task.Run(async () =>
        {
            while (!stopNops.IsCancellationRequested)
            {
                try { await slow.SendAsync("NOP\n"); }
                catch (System.Net.Sockets.SocketException) { return; }
                await Task.Delay(250);
            }
        });
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(3)); // not reading: the gateway's writes block

            var closedWithin = TimeSpan.FromSeconds(4);
            var started = DateTimeOffset.UtcNow;
            try
            {
                while (await slow.ReadFrameAsync(closedWithin - (DateTimeOffset.UtcNow - started)) is not null)
                {
                }
            }
            catch (Exception ex) when (ex is TimeoutException or ArgumentOutOfRangeException)
            {
                Assert.Fail("a client that stopped reading for 3 s (heartbeat interval 1 s) was still connected");
            }
        }
        finally
        {
            stopNops.Cancel();
            await nops;
        }
    }

    [Fact]
    public async Task Sub_to_an_ephemeral_channel_as_its_last_consumer_leaves_keeps_the_channel()
    {
        // nsqd deletes an ephemeral channel when its last client leaves; a client that has just subscribed to it
        // counts, so the channel it got OK for must not be deleted under it.
        const int rounds = 10;
        for (var round = 0; round < rounds; round++)
        {
            var topic = GatewayFixture.NewName("eph-race");
            var old = await gateway.ConsumerAsync(topic, "ch#ephemeral", rdy: 1);
            await using var next = await gateway.ConnectAsync();
            await next.IdentifyAsync("{}");
            await next.ExpectResponseAsync("OK");

            await old.DisposeAsync();
            await next.SendAsync($"SUB {topic} ch#ephemeral\nRDY 1\n");
            await next.ExpectResponseAsync("OK");
            await Task.Delay(100); // the old subscription's goodbye has reached the channel
            await gateway.PublishAsync(topic, "for the new consumer");

            var frame = await next.ExpectFrameAsync($"round {round}: the message, with the connection open", TimeSpan.FromSeconds(3));
            Assert.Equal((2, "for the new consumer"), (frame.Type, frame.Body));
        }
    }
}
