namespace OrleansNsq.Gateway.Tests.Connections;

[Collection(GatewayCollection.Name)]
public sealed class ConsumeTests(GatewayFixture gateway)
{
    [Fact]
    public async Task Rdy_caps_messages_in_flight_and_FIN_frees_a_slot()
    {
        var topic = GatewayFixture.NewName("rdy-cap");
        await using var consumer = await gateway.ConsumerAsync(topic, "ch", rdy: 2);
        await gateway.PublishAsync(topic, "1", "2", "3", "4");

        var first = await consumer.ExpectMessageAsync();
        await consumer.ExpectMessageAsync();
        await consumer.ExpectNothingAsync(TimeSpan.FromMilliseconds(500));

        await consumer.FinAsync(first.Id);
        await consumer.ExpectMessageAsync();
        await consumer.ExpectNothingAsync(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public async Task Rdy_0_stops_new_deliveries()
    {
        var topic = GatewayFixture.NewName("rdy-zero");
        await using var consumer = await gateway.ConsumerAsync(topic, "ch", rdy: 0);
        await gateway.PublishAsync(topic, "waiting");

        await consumer.ExpectNothingAsync(TimeSpan.FromMilliseconds(500));
        await consumer.RdyAsync(1);
        Assert.Equal("waiting", (await consumer.ExpectMessageAsync()).Body);
    }

    [Fact]
    public async Task Two_consumers_of_one_channel_share_its_messages()
    {
        var topic = GatewayFixture.NewName("share");
        await using var one = await gateway.ConsumerAsync(topic, "ch", rdy: 1);
        await using var two = await gateway.ConsumerAsync(topic, "ch", rdy: 1);
        await gateway.PublishAsync(topic, "a", "b");

        var a = await one.ExpectMessageAsync();
        var b = await two.ExpectMessageAsync();
        Assert.Equal(["a", "b"], new[] { a.Body, b.Body }.Order());
    }

    [Fact]
    public async Task Fin_of_unknown_id_is_E_FIN_FAILED_and_keeps_the_connection()
    {
        var topic = GatewayFixture.NewName("fin-unknown");
        await using var consumer = await gateway.ConsumerAsync(topic, "ch", rdy: 1);

        await consumer.FinAsync("0000000000000000");
        await consumer.ExpectErrorAsync("E_FIN_FAILED FIN 0000000000000000 failed ID not in flight");

        await gateway.PublishAsync(topic, "still open");
        Assert.Equal("still open", (await consumer.ExpectMessageAsync()).Body);
    }

    [Fact]
    public async Task Fin_from_another_consumer_is_E_FIN_FAILED_client_does_not_own_message()
    {
        var topic = GatewayFixture.NewName("fin-owner");
        await using var owner = await gateway.ConsumerAsync(topic, "ch", rdy: 1);
        await using var other = await gateway.ConsumerAsync(topic, "ch", rdy: 0);
        await gateway.PublishAsync(topic, "mine");
        var message = await owner.ExpectMessageAsync();

        await other.FinAsync(message.Id);
        await other.ExpectErrorAsync($"E_FIN_FAILED FIN {message.Id} failed client does not own message");

        await owner.FinAsync(message.Id);
        await owner.ExpectNothingAsync(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task Req_0_redelivers_at_once_with_the_same_id_and_attempts_2()
    {
        var topic = GatewayFixture.NewName("req");
        await using var consumer = await gateway.ConsumerAsync(topic, "ch", rdy: 1);
        await gateway.PublishAsync(topic, "again");
        var first = await consumer.ExpectMessageAsync();

        await consumer.ReqAsync(first.Id, 0);

        var second = await consumer.ExpectMessageAsync();
        Assert.Equal((first.Id, first.TimestampNs, (ushort)2), (second.Id, second.TimestampNs, second.Attempts));
    }

    [Fact]
    public async Task Req_with_a_delay_redelivers_after_it()
    {
        var topic = GatewayFixture.NewName("req-delay");
        await using var consumer = await gateway.ConsumerAsync(topic, "ch", rdy: 1);
        await gateway.PublishAsync(topic, "later");
        var first = await consumer.ExpectMessageAsync();

        await consumer.ReqAsync(first.Id, 1000);

        await consumer.ExpectNothingAsync(TimeSpan.FromMilliseconds(700));
        Assert.Equal(first.Id, (await consumer.ExpectMessageAsync()).Id);
    }

    [Fact]
    public async Task Timed_out_message_is_redelivered_with_attempts_2()
    {
        var topic = GatewayFixture.NewName("timeout");
        await using var consumer = await gateway.ConsumerAsync(topic, "ch", rdy: 1, identify: """{"msg_timeout":1000}""");
        await gateway.PublishAsync(topic, "slow");
        var first = await consumer.ExpectMessageAsync();

        var again = await consumer.ExpectMessageAsync(TimeSpan.FromSeconds(5));

        Assert.Equal((first.Id, (ushort)2), (again.Id, again.Attempts));
    }

    [Fact]
    public async Task Touch_keeps_a_message_in_flight_past_its_timeout()
    {
        var topic = GatewayFixture.NewName("touch");
        await using var consumer = await gateway.ConsumerAsync(topic, "ch", rdy: 1, identify: """{"msg_timeout":1000}""");
        await gateway.PublishAsync(topic, "touched");
        var message = await consumer.ExpectMessageAsync();

        // TOUCH every 100 ms for at least 2.5 timeouts: each TOUCH has 900 ms of slack on a loaded machine.
        var touching = System.Diagnostics.Stopwatch.StartNew();
        while (touching.Elapsed < TimeSpan.FromMilliseconds(2500))
        {
            await consumer.ExpectNothingAsync(TimeSpan.FromMilliseconds(100));
            await consumer.TouchAsync(message.Id);
        }
        await consumer.FinAsync(message.Id);
        await consumer.ExpectNothingAsync(TimeSpan.FromMilliseconds(1500));
    }

    [Fact]
    public async Task Cls_answers_CLOSE_WAIT_and_stops_deliveries()
    {
        var topic = GatewayFixture.NewName("cls");
        await using var consumer = await gateway.ConsumerAsync(topic, "ch", rdy: 5);

        await consumer.SendAsync("CLS\n");
        await consumer.ExpectResponseAsync("CLOSE_WAIT");
        await consumer.RdyAsync(5); // ignored after CLS, no error
        await gateway.PublishAsync(topic, "not for you");

        await consumer.ExpectNothingAsync(TimeSpan.FromMilliseconds(500));
    }

    [Fact]
    public async Task Sub_twice_is_fatal_E_INVALID_cannot_SUB_in_current_state()
    {
        var topic = GatewayFixture.NewName("sub-twice");
        await using var consumer = await gateway.ConsumerAsync(topic, "ch", rdy: 0);

        await consumer.SubAsync(topic, "ch");

        await consumer.ExpectErrorAsync("E_INVALID cannot SUB in current state");
        await consumer.ExpectClosedAsync();
    }

    [Fact]
    public async Task Sub_with_heartbeats_disabled_is_fatal_E_INVALID()
    {
        await using var client = await gateway.ConnectAsync();
        await client.IdentifyAsync("""{"heartbeat_interval":-1}""");
        await client.ExpectResponseAsync("OK");

        await client.SubAsync(GatewayFixture.NewName("no-heartbeat"), "ch");

        await client.ExpectErrorAsync("E_INVALID cannot SUB with heartbeats disabled");
        await client.ExpectClosedAsync();
    }

    [Fact]
    public async Task Rdy_above_max_rdy_count_is_fatal_E_INVALID()
    {
        await using var consumer = await gateway.ConsumerAsync(GatewayFixture.NewName("rdy-max"), "ch", rdy: 0);

        await consumer.RdyAsync(GatewayFixture.MaxRdyCount + 1);

        await consumer.ExpectErrorAsync($"E_INVALID RDY count {GatewayFixture.MaxRdyCount + 1} out of range 0-{GatewayFixture.MaxRdyCount}");
        await consumer.ExpectClosedAsync();
    }

    [Fact]
    public async Task Auth_is_E_AUTH_DISABLED_once_its_body_has_arrived()
    {
        await using var client = await gateway.ConnectAsync();

        await client.SendAsync(V2Client.Command("AUTH", "secret"u8.ToArray()));

        await client.ExpectErrorAsync("E_AUTH_DISABLED AUTH disabled");
        await client.ExpectClosedAsync();
    }

    [Fact]
    public async Task Deleting_the_channel_closes_its_consumers()
    {
        var topic = GatewayFixture.NewName("delete");
        await using var consumer = await gateway.ConsumerAsync(topic, "ch", rdy: 1);

        Assert.True(await gateway.Grains.Topic(topic).DeleteChannelAsync("ch"));

        await consumer.ExpectClosedAsync();
    }

    [Fact]
    public async Task Heartbeats_come_at_the_negotiated_interval_and_silence_closes_after_two()
    {
        await using var client = await gateway.ConnectAsync();
        await client.IdentifyAsync("""{"heartbeat_interval":1000}""");
        await client.ExpectResponseAsync("OK");

        var heartbeat = await client.ExpectFrameAsync("_heartbeat_", TimeSpan.FromSeconds(3), skipHeartbeats: false);
        Assert.Equal((0, "_heartbeat_"), (heartbeat.Type, heartbeat.Text));

        var closedWithin = TimeSpan.FromSeconds(5);
        var started = DateTimeOffset.UtcNow;
        while (await client.ReadFrameAsync(closedWithin, skipHeartbeats: false) is { } frame)
            Assert.Equal("_heartbeat_", frame.Text);
        Assert.InRange(DateTimeOffset.UtcNow - started, TimeSpan.Zero, closedWithin);
    }

    [Fact]
    public async Task Nop_answers_heartbeats_and_keeps_the_connection_alive()
    {
        await using var client = await gateway.ConnectAsync();
        await client.IdentifyAsync("""{"heartbeat_interval":1000}""");
        await client.ExpectResponseAsync("OK");

        for (var i = 0; i < 4; i++)
        {
            var frame = await client.ExpectFrameAsync("_heartbeat_", TimeSpan.FromSeconds(3), skipHeartbeats: false);
            Assert.Equal("_heartbeat_", frame.Text);
            await client.SendAsync("NOP\n");
        }
    }

    [Fact]
    public async Task Fin_of_a_message_whose_channel_failed_over_is_E_FIN_FAILED_ID_not_in_flight()
    {
        var topic = GatewayFixture.NewName("fin-failover");
        await using var consumer = await gateway.ConsumerAsync(topic, "ch", rdy: 1);
        await gateway.PublishAsync(topic, "m");
        var first = await consumer.ExpectMessageAsync();

        // The channel grain loses its activation, and with it the lease (its silo failed): the new activation reads
        // its cursor back, where the message is ready again, not in flight.
        await gateway.Grains.Channel(topic, "ch").AsReference<Orleans.Core.Internal.IGrainManagementExtension>().DeactivateOnIdle();
        await Lookupd.Eventually.UntilAsync("the channel back with the message ready", async () =>
            (await gateway.Grains.Topic(topic).GetStatsAsync("ch"))!.Channels is [{ Depth: 1, InFlightCount: 0 }]);

        // This gateway still held the lease, so it let the FIN through and freed the slot; the channel refused the FIN,
        // as nsqd would have, and the error frame follows. The freed slot's delivery of the message may come first.
        await consumer.FinAsync(first.Id);
        var frames = new[] { await consumer.ExpectFrameAsync("the error or the delivery"), await consumer.ExpectFrameAsync("the other") };

        var error = Assert.Single(frames, f => f.Type == 1);
        Assert.Equal($"E_FIN_FAILED FIN {first.Id} failed ID not in flight", error.Text);
        var again = Assert.Single(frames, f => f.Type == 2);
        Assert.Equal((first.Id, "m"), (again.Id, again.Body));
        await consumer.FinAsync(again.Id);
        await consumer.ExpectNothingAsync(TimeSpan.FromMilliseconds(200));
        Assert.Equal(0, (await gateway.Grains.Topic(topic).GetStatsAsync("ch"))!.Channels[0].InFlightCount);
    }
}
