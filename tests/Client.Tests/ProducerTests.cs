using Microsoft.Extensions.DependencyInjection;
using OrleansNsq.EndToEnd.Tests.Infrastructure;

namespace OrleansNsq.Client.Tests;

[Collection(SilosCollection.Name)]
public sealed class ProducerTests(TwoSilos silos, ITestOutputHelper output) : ClientTest(silos, output)
{
    private NsqProducer Producer(int connections) =>
        new(new NsqProducerOptions { NsqdTcpAddress = Silos.A.TcpAddress, ConnectionCount = connections }, new TestOutputLogger<NsqProducer>(Output));

    [Fact]
    public async Task TestProducerPoolPublishesOverEveryConnection()
    {
        var topic = Unique("pool");
        await using var producer = Producer(4);

        await Task.WhenAll(Enumerable.Range(0, 400).Select(i => producer.PublishAsync(topic, Bytes($"m{i}"))));

        Assert.Equal(4, producer.OpenConnections);
        var stats = await HttpA.StatsAsync(topic);
        Assert.Equal(400, stats.TopicCounter(topic, "message_count"));
    }

    [Fact]
    public async Task TestPipelinedMpubAndDpubAllArrive()
    {
        var topic = Unique("mpub");
        var channel = Unique("ch");
        await CreateChannelAsync(HttpA, topic, channel);
        await using var producer = Producer(1);

        // 20 MPUBs of 10 and 10 DPUBs at once on one connection: every reply is matched to its command in order.
        var mpubs = Enumerable.Range(0, 20).Select(b =>
            producer.MultiPublishAsync(topic, Enumerable.Range(0, 10).Select(i => Bytes($"b{b}-{i}")).ToArray()));
        var dpubs = Enumerable.Range(0, 10).Select(i => producer.DeferredPublishAsync(topic, TimeSpan.FromMilliseconds(200), Bytes($"d{i}")));
        await Task.WhenAll(mpubs.Concat(dpubs));

        var received = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        await using var consumer = new NsqConsumer(
            new NsqConsumerOptions { Topic = topic, Channel = channel, NsqdTcpAddresses = [Silos.A.TcpAddress], MaxInFlight = 50 },
            (m, _) =>
            {
                received.AddOrUpdate(Text(m.Body), 1, (_, n) => n + 1);
                return Task.CompletedTask;
            },
            new TestOutputLogger<NsqConsumer>(Output));
        await consumer.StartAsync();

        await BoundedWait.UntilAsync("all received", "210 distinct bodies", Wait,
            () => Task.FromResult((received.Count == 210, $"{received.Count} distinct")));
        Assert.All(received.Values, n => Assert.Equal(1, n));
        Assert.Contains("d9", received.Keys);
        Assert.Contains("b19-9", received.Keys);
    }

    [Fact]
    public async Task TestBadTopicThrowsTypedErrorAndProducerRecovers()
    {
        await using var producer = Producer(1);

        var error = await Assert.ThrowsAsync<NsqErrorException>(() => producer.PublishAsync("bad!topic", Bytes("x")));
        Assert.Equal("E_BAD_TOPIC", error.Code);
        Assert.Contains("bad!topic", error.Description);

        var mpubError = await Assert.ThrowsAsync<NsqErrorException>(() => producer.MultiPublishAsync("bad!topic", [Bytes("x")]));
        Assert.Equal("E_BAD_TOPIC", mpubError.Code);

        // the error was fatal on nsqd's side: the next publish dials again
        var topic = Unique("ok");
        await producer.PublishAsync(topic, Bytes("after"));
        Assert.Equal(1, (await HttpA.StatsAsync(topic)).TopicCounter(topic, "message_count"));
    }

    [Fact]
    public async Task TestPublishesPipelinedBehindAFatalErrorNameIt()
    {
        await using var producer = Producer(1);
        await producer.ConnectAsync();
        var topic = Unique("behind");

        // One connection: the bad PUB goes out first and the good ones are pipelined behind it; nsqd answers the first
        // with its fatal error and closes without reading the rest.
        var bad = producer.PublishAsync("bad!topic", Bytes("x"));
        var behind = Enumerable.Range(0, 20).Select(i => producer.PublishAsync(topic, Bytes($"m{i}"))).ToArray();

        var error = await Assert.ThrowsAsync<NsqErrorException>(() => bad);
        Assert.Equal("E_BAD_TOPIC", error.Code);
        foreach (var publish in behind)
        {
            try
            {
                await publish; // written after nsqd closed: it dialled again and went through
            }
            catch (NsqConnectionException lost) when (lost.InnerException is not NsqErrorException)
            {
                // written while nsqd was closing, before its error frame was read: the socket's own error
                Assert.StartsWith($"connection to nsqd {Silos.A.TcpAddress} failed: ", lost.Message);
            }
            catch (NsqConnectionException lost)
            {
                Assert.Contains("E_BAD_TOPIC", lost.Message); // pending when the error frame came
            }
        }
    }

    [Fact]
    public async Task TestEmptyBodyThrowsBadMessage()
    {
        await using var producer = Producer(1);
        var error = await Assert.ThrowsAsync<NsqErrorException>(() => producer.PublishAsync(Unique("empty"), ReadOnlyMemory<byte>.Empty));
        Assert.Equal("E_BAD_MESSAGE", error.Code);
    }

    [Fact]
    public async Task TestUnreachableNsqdThrowsConnectionError()
    {
        var port = FreePorts.Take(1)[0];
        await using var producer = new NsqProducer(new NsqProducerOptions { NsqdTcpAddress = $"127.0.0.1:{port}", ConnectionCount = 1 });
        await Assert.ThrowsAsync<NsqConnectionException>(() => producer.PublishAsync("t", Bytes("x")));
    }

    [Fact]
    public async Task TestAddNsqProducerBindsOptions()
    {
        var services = new ServiceCollection();
        services.AddNsqProducer(o =>
        {
            o.NsqdTcpAddress = Silos.A.TcpAddress;
            o.ConnectionCount = 1;
        });
        await using var provider = services.BuildServiceProvider();
        var producer = provider.GetRequiredService<NsqProducer>();

        var topic = Unique("di");
        await producer.PublishAsync(topic, Bytes("x"));
        Assert.Equal(1, (await HttpA.StatsAsync(topic)).TopicCounter(topic, "message_count"));
    }
}
