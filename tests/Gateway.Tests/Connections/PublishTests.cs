namespace OrleansNsq.Gateway.Tests.Connections;

[Collection(GatewayCollection.Name)]
public sealed class PublishTests(GatewayFixture gateway)
{
    [Fact]
    public async Task Pub_gets_OK_and_reaches_a_subscriber_with_attempts_1()
    {
        var topic = GatewayFixture.NewName("pub");
        await using var consumer = await gateway.ConsumerAsync(topic, "ch", rdy: 1);
        await using var producer = await gateway.ConnectAsync();

        await producer.PubAsync(topic, "hello");
        await producer.ExpectResponseAsync("OK");

        var message = await consumer.ExpectMessageAsync();
        Assert.Equal(("hello", (ushort)1), (message.Body, message.Attempts));
        Assert.Matches("^[0-9a-f]{16}$", message.Id);
        var age = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000 - message.TimestampNs;
        Assert.InRange(age, 0, 60_000_000_000L);
    }

    [Fact]
    public async Task Pipelined_publishes_to_several_topics_each_get_OK_in_order()
    {
        var a = GatewayFixture.NewName("order-a");
        var b = GatewayFixture.NewName("order-b");
        await using var consumerA = await gateway.ConsumerAsync(a, "ch", rdy: 10);
        await using var consumerB = await gateway.ConsumerAsync(b, "ch", rdy: 10);
        await using var producer = await gateway.ConnectAsync();

        // One write: PUB a, PUB a, MPUB b, DPUB a, PUB b — five replies, in order.
        await producer.SendAsync([
            .. V2Client.Command("PUB " + a, "a1"u8.ToArray()),
            .. V2Client.Command("PUB " + a, "a2"u8.ToArray()),
            .. V2Client.Command("MPUB " + b, [0, 0, 0, 2, 0, 0, 0, 2, (byte)'b', (byte)'1', 0, 0, 0, 2, (byte)'b', (byte)'2']),
            .. V2Client.Command("DPUB " + a + " 0", "a3"u8.ToArray()),
            .. V2Client.Command("PUB " + b, "b3"u8.ToArray()),
        ]);
        for (var i = 0; i < 5; i++) await producer.ExpectResponseAsync("OK");

        var bodiesA = new HashSet<string>();
        for (var i = 0; i < 3; i++) bodiesA.Add((await consumerA.ExpectMessageAsync()).Body);
        var bodiesB = new HashSet<string>();
        for (var i = 0; i < 3; i++) bodiesB.Add((await consumerB.ExpectMessageAsync()).Body);
        Assert.Equal(["a1", "a2", "a3"], bodiesA.Order());
        Assert.Equal(["b1", "b2", "b3"], bodiesB.Order());
    }

    [Fact]
    public async Task Mpub_gets_one_OK_and_delivers_every_part()
    {
        var topic = GatewayFixture.NewName("mpub");
        await using var consumer = await gateway.ConsumerAsync(topic, "ch", rdy: 10);
        await using var producer = await gateway.ConnectAsync();

        await producer.MpubAsync(topic, "one", "two", "three");
        await producer.ExpectResponseAsync("OK");

        var bodies = new List<string>();
        for (var i = 0; i < 3; i++) bodies.Add((await consumer.ExpectMessageAsync()).Body);
        Assert.Equal(["one", "three", "two"], bodies.Order());
    }

    [Fact]
    public async Task Dpub_holds_the_message_until_its_delay_has_passed()
    {
        var topic = GatewayFixture.NewName("dpub");
        await using var consumer = await gateway.ConsumerAsync(topic, "ch", rdy: 1);
        await using var producer = await gateway.ConnectAsync();

        await producer.DpubAsync(topic, 1500, "later");
        await producer.ExpectResponseAsync("OK");
        var sent = DateTimeOffset.UtcNow;

        await consumer.ExpectNothingAsync(TimeSpan.FromMilliseconds(1000));
        var message = await consumer.ExpectMessageAsync();
        Assert.Equal("later", message.Body);
        Assert.True(DateTimeOffset.UtcNow - sent >= TimeSpan.FromMilliseconds(1400), "delivered before its delay");
    }

    [Fact]
    public async Task Every_channel_gets_a_copy_with_the_same_id()
    {
        var topic = GatewayFixture.NewName("copies");
        await using var first = await gateway.ConsumerAsync(topic, "first", rdy: 1);
        await using var second = await gateway.ConsumerAsync(topic, "second", rdy: 1);
        await using var producer = await gateway.ConnectAsync();

        await producer.PubAsync(topic, "copy");
        await producer.ExpectResponseAsync("OK");

        var a = await first.ExpectMessageAsync();
        var b = await second.ExpectMessageAsync();
        Assert.Equal(("copy", "copy"), (a.Body, b.Body));
        Assert.Equal(a.Id, b.Id);
    }

    [Fact]
    public async Task Pub_before_any_channel_is_held_until_the_first_SUB()
    {
        var topic = GatewayFixture.NewName("held");
        await using var producer = await gateway.ConnectAsync();
        await producer.PubAsync(topic, "early");
        await producer.ExpectResponseAsync("OK");

        await using var consumer = await gateway.ConsumerAsync(topic, "late", rdy: 1);

        Assert.Equal("early", (await consumer.ExpectMessageAsync()).Body);
    }

    [Fact]
    public async Task A_bad_command_after_publishes_is_answered_after_their_OKs()
    {
        var topic = GatewayFixture.NewName("then-bad");
        await using var producer = await gateway.ConnectAsync();

        await producer.SendAsync([.. V2Client.Command("PUB " + topic, "x"u8.ToArray()), .. "BOGUS\n"u8.ToArray()]);

        await producer.ExpectResponseAsync("OK");
        await producer.ExpectErrorAsync("E_INVALID invalid command BOGUS");
        await producer.ExpectClosedAsync();
    }

    [Fact]
    public async Task Pub_of_exactly_max_msg_size_is_accepted()
    {
        var topic = GatewayFixture.NewName("max-msg");
        await using var consumer = await gateway.ConsumerAsync(topic, "ch", rdy: 1);
        await using var producer = await gateway.ConnectAsync();
        var body = new byte[1048576];
        Array.Fill(body, (byte)'m');

        await producer.SendAsync(V2Client.Command("PUB " + topic, body));
        await producer.ExpectResponseAsync("OK");

        Assert.Equal(1048576, (await consumer.ExpectMessageAsync()).Body.Length);
    }

    [Fact]
    public async Task Mpub_near_max_body_size_is_accepted()
    {
        var topic = GatewayFixture.NewName("max-body");
        await using var producer = await gateway.ConnectAsync();
        // 4 parts of 1 MiB: 4 + 4 × (4 + 1048576) bytes, under --max-body-size 5242880.
        var parts = Enumerable.Range(0, 4).Select(_ => new string('p', 1048576)).ToArray();

        await producer.MpubAsync(topic, parts);

        await producer.ExpectResponseAsync("OK");
        var stats = await gateway.Grains.Topic(topic).GetStatsAsync();
        Assert.Equal(4, stats!.MessageCount);
    }
}
