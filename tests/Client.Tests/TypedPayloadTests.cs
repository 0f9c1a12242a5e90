using System.Buffers;
using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using OrleansNsq.Client.Serialization;
using OrleansNsq.EndToEnd.Tests.Infrastructure;

namespace OrleansNsq.Client.Tests;

public sealed record Order(string Id, decimal Amount, string[] Lines);

/// <summary>The tests' source-generated JSON metadata (as an AOT application would have it).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(Order))]
public sealed partial class TestJson : JsonSerializerContext;

/// <summary>Typed payloads: JSON through source-generated type info, published and consumed through a Silo.</summary>
[Collection(SilosCollection.Name)]
public sealed class TypedPayloadTests(TwoSilos silos, ITestOutputHelper output) : ClientTest(silos, output)
{
    private static readonly Order First = new("o-1", 12.5m, ["apple", "pear"]);

    [Fact]
    public void Json_serializer_writes_web_json_and_reads_it_back()
    {
        var serializer = new NsqJsonSerializer<Order>(TestJson.Default.Order);
        var body = new ArrayBufferWriter<byte>();
        serializer.Serialize(body, First);

        Assert.Equal("""{"id":"o-1","amount":12.5,"lines":["apple","pear"]}""", Text(body.WrittenMemory));
        var back = serializer.Deserialize(body.WrittenMemory);
        Assert.Equal(First with { Lines = back.Lines }, back);
        Assert.Equal(First.Lines, back.Lines);
        Assert.Throws<JsonException>(() => serializer.Deserialize("null"u8.ToArray()));
        Assert.Throws<JsonException>(() => serializer.Deserialize("not json"u8.ToArray()));
    }

    [Fact]
    public void Reflection_serializer_uses_web_defaults()
    {
        var serializer = NsqJsonSerializer.Create<Order>();
        var body = new ArrayBufferWriter<byte>();
        serializer.Serialize(body, First);
        Assert.Equal("""{"id":"o-1","amount":12.5,"lines":["apple","pear"]}""", Text(body.WrittenMemory));
    }

    [Fact]
    public async Task Typed_publish_reaches_a_typed_handler_and_a_body_that_does_not_read_is_a_failure()
    {
        var (topic, channel, parked) = (Unique("typed"), Unique("ch"), Unique("typed-parked"));
        await CreateChannelAsync(HttpA, topic, channel);
        await using var producer = new NsqProducer(new NsqProducerOptions { NsqdTcpAddress = Silos.A.TcpAddress, ConnectionCount = 1 });
        await producer.PublishAsync(topic, First, TestJson.Default.Order);
        await producer.MultiPublishAsync(topic, [new Order("o-2", 1, []), new Order("o-3", 2, ["x"])], TestJson.Default.Order);
        await producer.DeferredPublishAsync(topic, TimeSpan.FromMilliseconds(50), new Order("o-4", 3, []), TestJson.Default.Order);
        await producer.PublishAsync(topic, Bytes("not json"));

        var received = new ConcurrentDictionary<string, Order>();
        await using var consumer = NsqConsumer.Create<Order>(
            new NsqConsumerOptions
            {
                Topic = topic, Channel = channel, NsqdTcpAddresses = [Silos.A.TcpAddress], MaxInFlight = 5, MaxAttempts = 1, DeadLetterTopic = parked,
            },
            TestJson.Default.Order,
            (order, message, _) =>
            {
                Assert.Equal(1, message.Attempts);
                received[order.Id] = order;
                return Task.CompletedTask;
            },
            new TestOutputLogger<NsqConsumer>(Output));
        await consumer.StartAsync();

        await BoundedWait.UntilAsync("typed messages handled, the bad one parked", "4 orders, 1 parked", Wait,
            () => Task.FromResult((received.Count == 4 && consumer.MessagesDeadLettered == 1, $"{received.Count} orders, {consumer.MessagesDeadLettered} parked")));
        Assert.Equal(First.Amount, received["o-1"].Amount);
        Assert.Equal(First.Lines, received["o-1"].Lines);
        Assert.Equal(["x"], received["o-3"].Lines);
        await DrainedAsync(HttpA, topic, channel);
    }
}
