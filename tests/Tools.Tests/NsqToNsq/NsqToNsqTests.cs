using OrleansNsq.Tools.Tests.Infrastructure;

namespace OrleansNsq.Tools.Tests.NsqToNsq;

/// <summary>nsq_to_nsq as a process against real Silos: copies to another Silo and to another topic, the JSON filters, Ctrl-C, flag errors.</summary>
public sealed class NsqToNsqTests(SiloFixture fixture, ITestOutputHelper output) : SiloTest(fixture, output), IClassFixture<SiloFixture>
{
    private const string Channel = "nsq_to_nsq";
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(300);

    [Fact]
    public async Task Nsq_to_nsq_copies_every_message_to_the_same_topic_on_a_second_silo()
    {
        await using var destination = await SiloProcess.StartAsync();
        using var destinationHttp = new NsqdHttp(destination);
        var topic = await TopicWithChannelAsync();
        await destinationHttp.CreateTopicAsync(topic);
        await destinationHttp.CreateChannelAsync(topic, "check");
        var bodies = Enumerable.Range(0, 100).Select(i => $"copy {i}").ToArray();
        await Http.MpubAsync(topic, bodies);

        using var tool = ToolProcess.Start("nsq_to_nsq", "--topic", topic, "--nsqd-tcp-address", Silo.TcpAddress,
            "--destination-nsqd-tcp-address", destination.TcpAddress, "--status-every", "50");
        var copied = await TopicReader.ReadAsync(destination.TcpAddress, topic, "check", bodies.Length, Quiet, tool.Describe);
        await RelayRun.ExpectChannelDrainedAsync(Http, topic, Channel, tool);
        await RelayRun.InterruptAndExpectExit0Async(tool);

        Assert.Equal(bodies.Order(StringComparer.Ordinal), copied.Order(StringComparer.Ordinal));
        Assert.Contains("nsq_to_nsq: 100 messages published, 0 failed", tool.Stderr);
        Assert.Contains("[aggregate]: finished 50 requests", tool.Stderr);
    }

    [Fact]
    public async Task Nsq_to_nsq_copies_to_the_destination_topic_round_robin_over_two_addresses()
    {
        var topic = await TopicWithChannelAsync();
        var target = Unique("copy");
        await Http.CreateTopicAsync(target);
        await Http.CreateChannelAsync(target, "check");
        var bodies = Enumerable.Range(0, 40).Select(i => $"to other {i}").ToArray();
        await Http.MpubAsync(topic, bodies);

        // the same nsqd under two names: two destinations, one topic to read
        using var tool = ToolProcess.Start("nsq_to_nsq", "--topic", topic, "--lookupd-http-address", Silo.LookupdHttpAddress,
            "--destination-topic", target, "--mode", "round-robin",
            "--destination-nsqd-tcp-address", Silo.TcpAddress, "--destination-nsqd-tcp-address", $"localhost:{Silo.TcpPort}");
        var copied = await TopicReader.ReadAsync(Silo.TcpAddress, target, "check", bodies.Length, Quiet, tool.Describe);
        await RelayRun.ExpectChannelDrainedAsync(Http, topic, Channel, tool);
        await RelayRun.InterruptAndExpectExit0Async(tool);

        Assert.Equal(bodies.Order(StringComparer.Ordinal), copied.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Nsq_to_nsq_require_json_field_passes_only_json_objects_with_that_field()
    {
        var (topic, target) = await TopicAndTargetAsync();
        await Http.MpubAsync(topic, ["{\"kind\":\"a\",\"n\":1}", "{\"n\":2}", "not json", "[1,2]", "{\"kind\":null}"]);

        using var tool = ToolProcess.Start("nsq_to_nsq", "--topic", topic, "--nsqd-tcp-address", Silo.TcpAddress,
            "--destination-topic", target, "--destination-nsqd-tcp-address", Silo.TcpAddress, "--require-json-field", "kind");
        var copied = await TopicReader.ReadAsync(Silo.TcpAddress, target, "check", 2, Quiet, tool.Describe);
        await RelayRun.ExpectChannelDrainedAsync(Http, topic, Channel, tool);
        await RelayRun.InterruptAndExpectExit0Async(tool);

        Assert.Equal(["{\"kind\":\"a\",\"n\":1}", "{\"kind\":null}"], copied.Order(StringComparer.Ordinal));
        Assert.Contains("2 messages published, 0 failed, 3 dropped by the JSON filter", tool.Stderr);
    }

    [Fact]
    public async Task Nsq_to_nsq_require_json_value_passes_only_the_field_equal_to_it_as_text_or_number()
    {
        var (topic, target) = await TopicAndTargetAsync();
        await Http.MpubAsync(topic, ["{\"v\":\"5\",\"i\":1}", "{\"v\":5.0,\"i\":2}", "{\"v\":6,\"i\":3}", "{\"v\":\"five\",\"i\":4}", "{\"v\":[5],\"i\":5}"]);

        using var tool = ToolProcess.Start("nsq_to_nsq", "--topic", topic, "--nsqd-tcp-address", Silo.TcpAddress,
            "--destination-topic", target, "--destination-nsqd-tcp-address", Silo.TcpAddress,
            "--require-json-field", "v", "--require-json-value", "5");
        var copied = await TopicReader.ReadAsync(Silo.TcpAddress, target, "check", 2, Quiet, tool.Describe);
        await RelayRun.ExpectChannelDrainedAsync(Http, topic, Channel, tool);
        await RelayRun.InterruptAndExpectExit0Async(tool);

        Assert.Equal(["{\"v\":\"5\",\"i\":1}", "{\"v\":5.0,\"i\":2}"], copied.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Nsq_to_nsq_whitelist_json_field_passes_only_those_fields()
    {
        var (topic, target) = await TopicAndTargetAsync();
        await Http.PubAsync(topic, "{\"z\":1,\"secret\":\"x\",\"a\":{\"b\":true}}");

        using var tool = ToolProcess.Start("nsq_to_nsq", "--topic", topic, "--nsqd-tcp-address", Silo.TcpAddress,
            "--destination-topic", target, "--destination-nsqd-tcp-address", Silo.TcpAddress,
            "--whitelist-json-field", "z", "--whitelist-json-field", "a");
        var copied = await TopicReader.ReadAsync(Silo.TcpAddress, target, "check", 1, Quiet, tool.Describe);
        await RelayRun.InterruptAndExpectExit0Async(tool);

        Assert.Equal(["{\"a\":{\"b\":true},\"z\":1}"], copied);
    }

    [Fact]
    public async Task Nsq_to_nsq_requeues_while_the_destination_is_unreachable()
    {
        var (topic, _) = await TopicAndTargetAsync();
        await Http.PubAsync(topic, "nowhere to go");
        var closedPort = FreePorts.Take(1)[0];

        using var tool = ToolProcess.Start("nsq_to_nsq", "--topic", topic, "--nsqd-tcp-address", Silo.TcpAddress,
            "--destination-nsqd-tcp-address", $"127.0.0.1:{closedPort}");
        await BoundedWait.UntilAsync("message requeued", "requeue_count >= 1", RelayRun.Timeout, async () =>
        {
            var stats = await Http.StatsAsync(topic);
            var requeued = stats.Channel(topic, Channel) is { } c ? c.GetProperty("requeue_count").GetInt64() : 0;
            return (requeued >= 1, $"requeue_count {requeued}");
        }, tool.Describe);
        await RelayRun.InterruptAndExpectExit0Async(tool);

        Assert.Contains("0 messages published", tool.Stderr);
        var depth = (await Http.StatsAsync(topic)).Channel(topic, Channel)!.Value;
        Assert.Equal(1, depth.GetProperty("depth").GetInt64() + depth.GetProperty("in_flight_count").GetInt64() + depth.GetProperty("deferred_count").GetInt64());
    }

    [Fact]
    public async Task Nsq_to_nsq_exits_0_on_ctrl_c_with_a_summary()
    {
        var (topic, _) = await TopicAndTargetAsync();
        using var tool = ToolProcess.Start("nsq_to_nsq", "--topic", topic, "--nsqd-tcp-address", Silo.TcpAddress,
            "--destination-nsqd-tcp-address", Silo.TcpAddress, "--destination-topic", Unique("copy"));
        await RelayRun.WaitForSubscriptionAsync(Http, topic, Channel, tool);
        await RelayRun.InterruptAndExpectExit0Async(tool);
        Assert.Contains($"from topic({topic}) channel(nsq_to_nsq)", tool.Stderr);
    }

    [Theory]
    [InlineData("--destination-nsqd-tcp-address required")]
    [InlineData("--topic is invalid", "--destination-nsqd-tcp-address", "127.0.0.1:1", "--topic", "bad!topic")]
    [InlineData("--destination-topic is invalid", "--destination-nsqd-tcp-address", "127.0.0.1:1", "--destination-topic", "bad topic")]
    [InlineData("use --nsqd-tcp-address or --lookupd-http-address not both", "--destination-nsqd-tcp-address", "127.0.0.1:1", "--lookupd-http-address", "127.0.0.1:1")]
    [InlineData("--mode must be round-robin or hostpool", "--destination-nsqd-tcp-address", "127.0.0.1:1", "--mode", "fastest")]
    public async Task Nsq_to_nsq_misconfigured_exits_1_with_the_reason(string reason, params string[] flags)
    {
        using var tool = await ToolProcess.RunAsync(RelayRun.Timeout, ["nsq_to_nsq", "--topic", Unique("nsq"), "--nsqd-tcp-address", Silo.TcpAddress, .. flags]);
        Assert.True(tool.ExitCode == 1, tool.Describe());
        Assert.Contains(reason, tool.Stderr);
    }

    private async Task<string> TopicWithChannelAsync()
    {
        var topic = Unique("nsq");
        await Http.CreateTopicAsync(topic);
        await Http.CreateChannelAsync(topic, Channel);
        return topic;
    }

    /// <summary>A source topic with the tool's channel, and a target topic with a <c>check</c> channel to read the copies from.</summary>
    private async Task<(string Topic, string Target)> TopicAndTargetAsync()
    {
        var topic = await TopicWithChannelAsync();
        var target = Unique("copy");
        await Http.CreateTopicAsync(target);
        await Http.CreateChannelAsync(target, "check");
        return (topic, target);
    }
}
