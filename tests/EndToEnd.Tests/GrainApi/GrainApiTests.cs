using System.Text;
using OrleansNsq.Consumers;
using OrleansNsq.EndToEnd.Tests.Infrastructure;

namespace OrleansNsq.EndToEnd.Tests.GrainApi;

/// <summary>
/// The grain API side by side with NSQ clients on one topic, against a real Silo process: what the sample service
/// (samples/GrainService) publishes reaches nsqjs, what nsqjs publishes reaches the sample, and REQ/TOUCH through
/// <see cref="ChannelConsumer"/> behave as NSQ's (docs/GRAIN-API.md).
/// </summary>
public sealed class GrainApiTests(GrainApiFixture fixture, ITestOutputHelper output)
    : SiloTest(fixture.SiloFixture, output), IClassFixture<GrainApiFixture>
{
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(15);

    private IClusterClient Grains => fixture.Grains;

    [Fact]
    public async Task Messages_published_by_the_sample_service_reach_an_nsqjs_consumer_exactly_once()
    {
        const int total = 250;
        var topic = Unique("grainpub");
        await Http.CreateTopicAsync(topic);
        await Http.CreateChannelAsync(topic, "nsqjs");

        await using (var sample = GrainServiceProcess.Start("--gateway-port", Silo.GatewayPort.ToString(),
                         "--topic", topic, "--publish", total.ToString(), "--batch", "100"))
        {
            var (exitCode, _, summary) = await sample.CompleteAsync("sample publishes through ITopicGrain", ScriptTimeout);
            Assert.True(exitCode == 0, $"sample exited {exitCode}: {summary}{Environment.NewLine}{sample.Transcript()}");
            Assert.Equal(total, summary.GetProperty("published").GetInt64());
        }

        var consumed = (await NodeScript.RunAsync("consume.js", "nsqjs consumes what the grain API published", ScriptTimeout,
            ("nsqd", Silo.TcpAddress), ("topic", topic), ("channel", "nsqjs"), ("expect", total), ("linger-ms", 300))).EnsureOk();
        Output.WriteLine(consumed.ToString());
        Assert.True(consumed.Number("unique") == total && consumed.Number("received") == total,
            $"expected {total} bodies, each once: {consumed.Json}");
        Assert.Equal(new Dictionary<string, long> { ["1"] = total }, consumed.Histogram("attempts"));

        await WaitForStatsAsync("the nsqjs channel drained", topic, "nsqjs", total);
    }

    [Fact]
    public async Task Messages_published_by_nsqjs_reach_the_sample_service_which_fins_them()
    {
        const int total = 200;
        var topic = Unique("nsqjspub");
        await using var sample = GrainServiceProcess.Start("--gateway-port", Silo.GatewayPort.ToString(),
            "--topic", topic, "--channel", "grain", "--expect", total.ToString(), "--print-bodies");
        // The sample subscribes first (creating the channel), so nothing is published before the channel exists.
        await BoundedWait.UntilAsync("the sample subscribed", "channel 'grain' with client_count 1", ScriptTimeout, async () =>
        {
            var count = (await Http.StatsAsync(topic)).ChannelCounter(topic, "grain", "client_count");
            return (count == 1, $"client_count {count?.ToString() ?? "absent"}");
        }, sample.Transcript);

        var published = (await NodeScript.RunAsync("publish.js", "nsqjs publishes PUB and MPUB", ScriptTimeout,
            ("nsqd", Silo.TcpAddress), ("topic", topic), ("count", total), ("mode", "mixed"), ("mpub-batch", 50))).EnsureOk();
        Assert.Equal(total, published.Number("published"));

        var (exitCode, bodies, summary) = await sample.CompleteAsync("the sample consumes through ChannelConsumer", ScriptTimeout);
        Assert.True(exitCode == 0, $"sample exited {exitCode}: {summary}{Environment.NewLine}{sample.Transcript()}");
        Assert.Equal(Enumerable.Range(0, total).Select(i => $"msg-{i}").Order(), bodies.Order());
        Assert.Equal(total, summary.GetProperty("received").GetInt64());

        var stats = await WaitForStatsAsync("the grain channel drained", topic, "grain", total);
        Assert.Equal(0, stats.ChannelCounter(topic, "grain", "requeue_count"));
        Assert.Equal(0, stats.ChannelCounter(topic, "grain", "client_count"));
    }

    [Fact]
    public async Task Req_through_the_grain_API_redelivers_with_attempts_2_to_an_nsqjs_consumer()
    {
        var topic = Unique("grainreq");
        await Http.CreateTopicAsync(topic);
        await Http.CreateChannelAsync(topic, "c");
        await Http.PubAsync(topic, "again");

        await using (var consumer = await ChannelConsumer.SubscribeAsync(Grains, topic, "c"))
        {
            await using var reader = consumer.ReadAllAsync().GetAsyncEnumerator();
            Assert.True(await BoundedWait.ForAsync(reader.MoveNextAsync().AsTask(), "grain API receives", SettleTimeout));
            Assert.Equal(("again", (ushort)1), (Encoding.UTF8.GetString(reader.Current.Body.Span), reader.Current.Attempts));
            Assert.True(consumer.Req(reader.Current), "REQ of a message in flight");
            await consumer.FlushAsync();
        }

        var consumed = (await NodeScript.RunAsync("consume.js", "nsqjs receives the requeued message", ScriptTimeout,
            ("nsqd", Silo.TcpAddress), ("topic", topic), ("channel", "c"), ("expect", 1))).EnsureOk();
        Assert.Equal(new Dictionary<string, long> { ["2"] = 1 }, consumed.Histogram("attempts"));
        var stats = await WaitForStatsAsync("drained after the REQ", topic, "c", 1);
        Assert.Equal(1, stats.ChannelCounter(topic, "c", "requeue_count"));
        Assert.Equal(0, stats.ChannelCounter(topic, "c", "timeout_count"));
    }

    [Fact]
    public async Task Touch_through_the_grain_API_keeps_a_message_in_flight_past_its_msg_timeout()
    {
        var msgTimeout = TimeSpan.FromSeconds(2);
        var topic = Unique("graintouch");
        await Http.CreateTopicAsync(topic);
        await Http.CreateChannelAsync(topic, "c");
        await Http.PubAsync(topic, "slow");

        await using var consumer = await ChannelConsumer.SubscribeAsync(Grains, topic, "c",
            new ChannelConsumerOptions { MsgTimeout = msgTimeout, MaxInFlight = 1 });
        await using var reader = consumer.ReadAllAsync().GetAsyncEnumerator();
        Assert.True(await BoundedWait.ForAsync(reader.MoveNextAsync().AsTask(), "grain API receives", SettleTimeout));
        var message = reader.Current;

        // 1.5 msg_timeouts of work, touching every eighth of one: a busy machine may delay a touch a lot and still
        // not lose the lease.
        for (var i = 0; i < 12; i++)
        {
            await Task.Delay(msgTimeout / 8);
            Assert.True(consumer.Touch(message), $"TOUCH {i}");
        }
        await consumer.FlushAsync();
        var during = await Http.StatsAsync(topic);
        Assert.True(during.ChannelCounter(topic, "c", "in_flight_count") == 1 && during.ChannelCounter(topic, "c", "timeout_count") == 0,
            $"after the touches: {during.Describe(topic, "c")}");

        Assert.True(consumer.Fin(message), "FIN after the touches");
        await consumer.FlushAsync();
        var stats = await WaitForStatsAsync("drained after the touched FIN", topic, "c", 1);
        Assert.Equal(0, stats.ChannelCounter(topic, "c", "timeout_count"));
    }

    /// <summary>Waits until the channel got <paramref name="total"/> messages and holds none (ready, in flight or
    /// deferred).</summary>
    private async Task<NsqdStats> WaitForStatsAsync(string phase, string topic, string channel, long total)
    {
        NsqdStats? last = null;
        await BoundedWait.UntilAsync(phase, $"channel {channel}: message_count {total}, depth 0, in_flight_count 0, deferred_count 0",
            SettleTimeout, async () =>
            {
                last = await Http.StatsAsync(topic);
                var drained = last.ChannelCounter(topic, channel, "message_count") == total
                    && last.ChannelCounter(topic, channel, "depth") == 0
                    && last.ChannelCounter(topic, channel, "in_flight_count") == 0
                    && last.ChannelCounter(topic, channel, "deferred_count") == 0;
                return (drained, last.Describe(topic, channel));
            }, SiloOutput);
        return last!;
    }
}
