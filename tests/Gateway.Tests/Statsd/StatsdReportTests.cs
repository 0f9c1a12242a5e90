using System.Text;
using OrleansNsq.Gateway.Node;
using OrleansNsq.Gateway.Http;
using OrleansNsq.Gateway.Statsd;
using OrleansNsq.Stats;

namespace OrleansNsq.Gateway.Tests.Statsd;

public class StatsdReportTests
{
    private static TopicStats Topic(string name, long messages, long bytes, long depth, params ChannelStats[] channels) =>
        new() { TopicName = name, MessageCount = messages, MessageBytes = bytes, Depth = depth, Channels = channels };

    private static ChannelStats Channel(string name, long messages, long requeues = 0, long timeouts = 0, int clients = 0) =>
        new() { ChannelName = name, MessageCount = messages, RequeueCount = requeues, TimeoutCount = timeouts, ClientCount = clients, InFlightCount = 3, DeferredCount = 2, Depth = 7, BackendDepth = 1 };

    private static string[] Lines(StatsdPackets packets) =>
        [.. packets.Complete().SelectMany(p => Encoding.UTF8.GetString(p).Split('\n', StringSplitOptions.RemoveEmptyEntries))];

    [Fact]
    public void Topic_and_channel_metrics_have_nsqds_names_kinds_and_order()
    {
        var packets = new StatsdPackets("nsq.host_4151.", 508);
        StatsdReport.Write(packets, [Topic("t", 10, 2000, 4, Channel("c", 9, requeues: 1, timeouts: 2, clients: 5))], [], excludeEphemeral: false);

        Assert.Equal(
        [
            "nsq.host_4151.topic.t.message_count:10|c",
            "nsq.host_4151.topic.t.message_bytes:2000|c",
            "nsq.host_4151.topic.t.depth:4|g",
            "nsq.host_4151.topic.t.backend_depth:0|g",
            "nsq.host_4151.topic.t.channel.c.message_count:9|c",
            "nsq.host_4151.topic.t.channel.c.depth:7|g",
            "nsq.host_4151.topic.t.channel.c.backend_depth:1|g",
            "nsq.host_4151.topic.t.channel.c.in_flight_count:3|g",
            "nsq.host_4151.topic.t.channel.c.deferred_count:2|g",
            "nsq.host_4151.topic.t.channel.c.requeue_count:1|c",
            "nsq.host_4151.topic.t.channel.c.timeout_count:2|c",
            "nsq.host_4151.topic.t.channel.c.clients:5|g",
        ], Lines(packets));
    }

    [Fact]
    public void Counters_send_the_change_since_the_previous_push_and_new_ones_count_from_zero()
    {
        var previous = new[] { Topic("t", 10, 2000, 0, Channel("c", 9, requeues: 1, timeouts: 2)) };
        var now = new[] { Topic("t", 15, 3000, 0, Channel("c", 12, requeues: 1, timeouts: 4), Channel("d", 6)), Topic("u", 1, 5, 0) };
        var packets = new StatsdPackets("p.", 508);
        StatsdReport.Write(packets, now, previous, excludeEphemeral: false);

        var lines = Lines(packets);
        Assert.Contains("p.topic.t.message_count:5|c", lines);
        Assert.Contains("p.topic.t.message_bytes:1000|c", lines);
        Assert.Contains("p.topic.t.channel.c.message_count:3|c", lines);
        Assert.Contains("p.topic.t.channel.c.requeue_count:0|c", lines);
        Assert.Contains("p.topic.t.channel.c.timeout_count:2|c", lines);
        Assert.Contains("p.topic.t.channel.d.message_count:6|c", lines);
        Assert.Contains("p.topic.u.message_count:1|c", lines);
    }

    [Fact]
    public void Exclude_ephemeral_skips_ephemeral_topics_and_channels()
    {
        var packets = new StatsdPackets("p.", 508);
        StatsdReport.Write(packets, [Topic("e#ephemeral", 1, 1, 0), Topic("t", 1, 1, 0, Channel("c#ephemeral", 1), Channel("c", 1))], [], excludeEphemeral: true);

        var lines = Lines(packets);
        Assert.DoesNotContain(lines, l => l.Contains("#ephemeral", StringComparison.Ordinal));
        Assert.Contains("p.topic.t.channel.c.message_count:1|c", lines);
    }

    [Fact]
    public void E2e_percentiles_follow_the_depths_as_gauges_named_by_the_quantile_times_100()
    {
        var latency = new E2eLatency { Count = 3, Quantiles = [1.0, 0.99, 0.5], ValuesNs = [3_000_000, 2_500_000.4, 1_000], Buckets = [] };
        var packets = new StatsdPackets("p.", 508);
        StatsdReport.Write(packets, [Topic("t", 1, 1, 0, Channel("c", 1) with { E2eProcessingLatency = latency }) with { E2eProcessingLatency = latency }], [], excludeEphemeral: false);

        var lines = Lines(packets);
        Assert.Equal(["p.topic.t.e2e_processing_latency_100:3000000|g", "p.topic.t.e2e_processing_latency_99:2500000|g", "p.topic.t.e2e_processing_latency_50:1000|g"],
            lines.SkipWhile(l => !l.StartsWith("p.topic.t.backend_depth", StringComparison.Ordinal)).Skip(1).Take(3));
        Assert.Equal("p.topic.t.channel.c.e2e_processing_latency_100:3000000|g", lines[^3]);
    }

    [Fact]
    public void Memory_stats_are_gauges_and_gc_runs_a_counter()
    {
        var packets = new StatsdPackets("p.", 508);
        var before = new RuntimeMemory(0, 1, 2, 0, 30, 20, 10, 5, GcTotalRuns: 7);
        var now = new RuntimeMemory(0, 100, 200, 0, 300, 200, 100, 500, GcTotalRuns: 10);
        StatsdReport.WriteMemory(packets, now, before);

        Assert.Equal(
        [
            "p.mem.heap_objects:0|g",
            "p.mem.heap_idle_bytes:100|g",
            "p.mem.heap_in_use_bytes:200|g",
            "p.mem.heap_released_bytes:0|g",
            "p.mem.gc_pause_usec_100:300|g",
            "p.mem.gc_pause_usec_99:200|g",
            "p.mem.gc_pause_usec_95:100|g",
            "p.mem.next_gc_bytes:500|g",
            "p.mem.gc_runs:3|c",
        ], Lines(packets));
    }

    [Fact]
    public void Packets_hold_whole_lines_up_to_the_packet_size_and_a_longer_line_travels_alone()
    {
        // Each line is "p.aN:1|g\n" = 9 bytes.
        var packets = new StatsdPackets("p.", 20);
        for (var i = 0; i < 5; i++) packets.Gauge($"a{i}", 1);
        packets.Gauge(new string('x', 30), 1);
        packets.Gauge("b", 1);

        var sent = packets.Complete().Select(p => Encoding.UTF8.GetString(p)).ToArray();
        Assert.Equal(["p.a0:1|g\np.a1:1|g\n", "p.a2:1|g\np.a3:1|g\n", "p.a4:1|g\n", $"p.{new string('x', 30)}:1|g\n", "p.b:1|g\n"], sent);
        Assert.All(sent.Take(3), p => Assert.True(Encoding.UTF8.GetByteCount(p) <= 20));
    }

    [Theory]
    [InlineData("nsq.%s", "10.0.0.5", 4151, "nsq.10_0_0_5_4151.")]
    [InlineData("nsq.%s.", "node-a.example", 4251, "nsq.node-a_example_4251.")]
    [InlineData("app", "h", 1, "app.")]
    [InlineData("nsq.%s", "::1", 4151, "nsq.[__1]_4151.")]
    [InlineData("", "h", 1, "")]
    public void The_prefix_puts_this_nodes_host_key_for_percent_s_and_ends_in_a_dot(string configured, string broadcast, int httpPort, string expected)
    {
        var node = new NodeIdentity(broadcast, "hostname", 4150, httpPort, DateTimeOffset.UnixEpoch);

        Assert.Equal(expected, node.StatsdPrefix(configured));
    }
}
