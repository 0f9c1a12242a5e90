using System.Net;
using OrleansNsq.EndToEnd.Tests.Infrastructure;

namespace OrleansNsq.EndToEnd.Tests.Compatibility;

/// <summary>
/// Unmodified nsqjs 0.13.0 (tests/nsqjs) against a real Silo process: the compatibility proof. The
/// scripts run as child processes and report counts as one JSON line; /stats must agree with them.
/// </summary>
public sealed class NsqjsEndToEndTests(SiloFixture fixture, ITestOutputHelper output)
    : SiloTest(fixture, output), IClassFixture<SiloFixture>
{
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(150);
    private static readonly TimeSpan ConsumeTimeout = TimeSpan.FromSeconds(240);
    private static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Two_readers_on_one_channel_and_one_on_another_get_every_message()
    {
        const int total = 10_000;
        const int tcpCount = total / 2;          // nsqjs Writer: half PUB, half MPUB
        const int httpPubCount = total / 4;      // POST /pub
        const int httpMpubCount = total / 4;     // POST /mpub, half text and half binary
        var topic = Unique("fanout");
        await Http.CreateTopicAsync(topic);
        await Http.CreateChannelAsync(topic, "a");
        await Http.CreateChannelAsync(topic, "b");

        await using var channelA = Consume(topic, "a", total, ("readers", 2), ("max-in-flight", 200));
        await using var channelB = Consume(topic, "b", total, ("readers", 1), ("max-in-flight", 200));

        var tcp = NodeScript.RunAsync("publish.js", "publish over TCP with nsqjs", PublishTimeout,
            ("nsqd", Silo.TcpAddress), ("topic", topic), ("count", tcpCount), ("prefix", "tcp-"),
            ("mode", "mixed"), ("mpub-batch", 100));
        var http = PublishOverHttpAsync(topic, httpPubCount, httpMpubCount);
        await BoundedWait.ForAsync(http, "publish over HTTP /pub and /mpub", PublishTimeout);
        var published = (await tcp).EnsureOk();
        Output.WriteLine(published.ToString());
        Assert.Equal(tcpCount, published.Number("published"));

        var a = (await channelA.CompleteAsync("channel a: two readers get 10000 bodies")).EnsureOk();
        var b = (await channelB.CompleteAsync("channel b: one reader gets 10000 bodies")).EnsureOk();
        Output.WriteLine(a.ToString());
        Output.WriteLine(b.ToString());
        foreach (var result in new[] { a, b })
        {
            Assert.True(result.Number("unique") == total && result.Number("finished") == total,
                $"{result.Phase}: expected {total} unique finished bodies: {result.Json}");
            Assert.True(result.Number("redeliveries") == 0,
                $"{result.Phase}: duplicates delivered (no REQ and no timeout should cause any): {result.Json}");
        }

        var stats = await WaitForStatsAsync("stats agree after every FIN", topic, ["a", "b"], s =>
            s.TopicCounter(topic, "message_count") == total
            && s.TopicCounter(topic, "depth") == 0
            && ChannelDrained(s, topic, "a", total)
            && ChannelDrained(s, topic, "b", total));
        Assert.Equal(0, stats.ChannelCounter(topic, "a", "requeue_count"));
        Assert.Equal(0, stats.ChannelCounter(topic, "b", "timeout_count"));
    }

    [Fact]
    public async Task Requeued_message_is_redelivered_with_attempts_2()
    {
        const int total = 200;
        var topic = Unique("requeue");
        await Http.CreateTopicAsync(topic);
        await Http.CreateChannelAsync(topic, "req");
        await Http.MpubAsync(topic, Bodies("req-", 0, total));

        var result = (await NodeScript.RunAsync("consume.js", "reader REQs every first attempt", ConsumeTimeout,
            ("nsqd", Silo.TcpAddress), ("topic", topic), ("channel", "req"), ("expect", total),
            ("requeue-first", true), ("max-in-flight", 50))).EnsureOk();
        Output.WriteLine(result.ToString());

        var attempts = result.Histogram("attempts");
        Assert.True(attempts.GetValueOrDefault("1") == total && attempts.GetValueOrDefault("2") == total && attempts.Count == 2,
            $"every message is delivered once with attempts 1 and once with attempts 2: {result.Json}");
        Assert.Equal(new Dictionary<string, long> { ["2"] = total }, result.Histogram("finishedAttempts"));
        Assert.Equal(total, result.Number("requeued"));

        var stats = await WaitForStatsAsync("stats count the REQs", topic, ["req"], s =>
            ChannelDrained(s, topic, "req", total) && s.ChannelCounter(topic, "req", "requeue_count") == total);
        Assert.Equal(0, stats.ChannelCounter(topic, "req", "timeout_count"));
    }

    [Fact]
    public async Task Touched_message_outlives_its_msg_timeout_without_redelivery()
    {
        const int total = 3;
        var topic = Unique("touch");
        await Http.CreateTopicAsync(topic);
        await Http.CreateChannelAsync(topic, "touch");
        await Http.MpubAsync(topic, Bodies("touch-", 0, total));

        // msg_timeout 2 s, TOUCH every 1 s for 5 s, then FIN: without TOUCH each would time out.
        var result = (await NodeScript.RunAsync("consume.js", "reader TOUCHes for 5 s then FINs", ConsumeTimeout,
            ("nsqd", Silo.TcpAddress), ("topic", topic), ("channel", "touch"), ("expect", total),
            ("message-timeout-ms", 2000), ("hold-ms", 5000), ("touch-every-ms", 1000),
            ("max-in-flight", total))).EnsureOk();
        Output.WriteLine(result.ToString());

        Assert.True(result.Number("redeliveries") == 0, $"no message may come back while it is touched: {result.Json}");
        Assert.True(result.Number("touches") >= total * 4, $"each message is touched about 4 times: {result.Json}");
        var stats = await WaitForStatsAsync("stats after the touched FINs", topic, ["touch"], s =>
            ChannelDrained(s, topic, "touch", total));
        Assert.Equal(0, stats.ChannelCounter(topic, "touch", "timeout_count"));
    }

    /// <summary>The control of the TOUCH rule: the same 2 s msg_timeout without TOUCH does expire.</summary>
    [Fact]
    public async Task Untouched_message_is_redelivered_after_its_msg_timeout()
    {
        const int total = 3;
        var topic = Unique("notouch");
        await Http.CreateTopicAsync(topic);
        await Http.CreateChannelAsync(topic, "notouch");
        await Http.MpubAsync(topic, Bodies("notouch-", 0, total));

        // held 9 s: room for nsqd's lazy timeout scan (up to ~5 s on a new channel) after the 2 s deadline
        var result = (await NodeScript.RunAsync("consume.js", "reader holds messages 9 s without TOUCH", ConsumeTimeout,
            ("nsqd", Silo.TcpAddress), ("topic", topic), ("channel", "notouch"), ("expect", total),
            ("message-timeout-ms", 2000), ("hold-ms", 9000), ("max-in-flight", total * 10))).EnsureOk();
        Output.WriteLine(result.ToString());

        Assert.True(result.Number("redeliveries") >= total,
            $"each message held past its 2 s msg_timeout comes back with attempts 2 or more: {result.Json}");
        await WaitForStatsAsync("stats count the timeouts", topic, ["notouch"], s =>
            s.ChannelCounter(topic, "notouch", "timeout_count") >= total);
    }

    [Fact]
    public async Task Deferred_publish_is_delivered_no_earlier_than_its_delay()
    {
        const int total = 5;
        const int deferMs = 1500;
        var topic = Unique("dpub");
        await Http.CreateTopicAsync(topic);
        await Http.CreateChannelAsync(topic, "dpub");
        await using var consumer = Consume(topic, "dpub", total);

        var published = (await NodeScript.RunAsync("publish.js", "DPUB with nsqjs deferPublish", PublishTimeout,
            ("nsqd", Silo.TcpAddress), ("topic", topic), ("count", total), ("prefix", "dpub-"),
            ("mode", "dpub"), ("defer-ms", deferMs))).EnsureOk();
        Assert.Equal(total, published.Number("dpubCommands"));

        var result = (await consumer.CompleteAsync("reader gets the deferred messages")).EnsureOk();
        Output.WriteLine(result.ToString());
        // latency = delivery time - publish timestamp, both from this machine's clock; 100 ms of slack
        Assert.True(result.Number("minLatencyMs") >= deferMs - 100,
            $"no deferred message may arrive before its {deferMs} ms delay: {result.Json}");
        await WaitForStatsAsync("stats after the deferred FINs", topic, ["dpub"], s =>
            ChannelDrained(s, topic, "dpub", total) && s.ChannelCounter(topic, "dpub", "deferred_count") == 0);
    }

    [Fact]
    public async Task Reader_given_only_lookupd_finds_the_node_and_consumes()
    {
        const int total = 100;
        var topic = Unique("lookup");
        await Http.CreateTopicAsync(topic);
        await BoundedWait.UntilAsync(
            phase: "lookupd lists the node for the topic",
            expected: $"/lookup?topic={topic} to answer 200 with producer tcp_port {Silo.TcpPort}",
            timeout: SettleTimeout,
            probe: async () =>
            {
                var (status, body) = await Http.LookupAsync(topic);
                return (status == HttpStatusCode.OK && body.Contains($"\"tcp_port\":{Silo.TcpPort}"), $"{(int)status} {body}");
            },
            context: SiloOutput);
        await Http.MpubAsync(topic, Bodies("lookup-", 0, total));

        var result = (await NodeScript.RunAsync("consume.js", "reader discovers the node through lookupd", ConsumeTimeout,
            ("lookupd", Silo.LookupdHttpAddress), ("lookupd-poll-s", 1), ("topic", topic), ("channel", "lookup"),
            ("expect", total))).EnsureOk();
        Output.WriteLine(result.ToString());
        Assert.Equal(total, result.Number("finished"));
    }

    private NodeScript Consume(string topic, string channel, int expect, params (string, object)[] extra) =>
        NodeScript.Start("consume.js", ConsumeTimeout,
            [("nsqd", Silo.TcpAddress), ("topic", topic), ("channel", channel), ("expect", expect), .. extra]);

    private async Task PublishOverHttpAsync(string topic, int pubCount, int mpubCount)
    {
        await Parallel.ForEachAsync(
            Enumerable.Range(0, pubCount),
            new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (i, _) => await Http.PubAsync(topic, $"http-pub-{i}"));

        const int batch = 100;
        for (var start = 0; start < mpubCount; start += batch)
        {
            var bodies = Bodies(start % (2 * batch) == 0 ? "http-mpub-" : "http-mpubbin-", start, Math.Min(batch, mpubCount - start));
            if (start % (2 * batch) == 0)
            {
                await Http.MpubAsync(topic, bodies);
            }
            else
            {
                await Http.MpubBinaryAsync(topic, bodies);
            }
        }
    }

    private static List<string> Bodies(string prefix, int start, int count) =>
        Enumerable.Range(start, count).Select(i => $"{prefix}{i}").ToList();

    private static bool ChannelDrained(NsqdStats s, string topic, string channel, int total) =>
        s.ChannelCounter(topic, channel, "message_count") == total
        && s.ChannelCounter(topic, channel, "depth") == 0
        && s.ChannelCounter(topic, channel, "in_flight_count") == 0;

    /// <summary>Polls /stats (bounded) until <paramref name="done"/> holds; fails with the counters seen.</summary>
    private async Task<NsqdStats> WaitForStatsAsync(string phase, string topic, string[] channels, Func<NsqdStats, bool> done)
    {
        NsqdStats? last = null;
        await BoundedWait.UntilAsync(
            phase,
            expected: "the /stats counters of the rule",
            timeout: SettleTimeout,
            probe: async () =>
            {
                last = await Http.StatsAsync(topic);
                return (done(last), last.Describe(topic, channels));
            },
            context: SiloOutput);
        return last!;
    }
}
