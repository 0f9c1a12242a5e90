using System.Net;
using System.Text.Json;
using OrleansNsq.Admin.Tests.Infrastructure;

namespace OrleansNsq.Admin.Tests.Api;

/// <summary>
/// nsqadmin's read API (/api/topics, /api/topics/:topic, /api/topics/:topic/:channel, /api/nodes, /api/nodes/:node,
/// /api/counter) against a real Silo with a connected consumer: nsqadmin 1.3's field names, and the figures of
/// the node's own /stats.
/// </summary>
public sealed class ReadApiTests(SiloFixture fixture, ITestOutputHelper output) : AdminSiloTest(fixture, output), IClassFixture<SiloFixture>
{
    /// <summary>5 published; the consumer (RDY 2) took 3 and finished 1: 2 in flight, 2 waiting.</summary>
    private async Task<(string Topic, string Channel, V2Client Consumer, NsqdStats Stats)> ConsumedTopicAsync()
    {
        var (topic, channel) = await TopicWithChannelAsync(5);
        var consumer = await ConsumerAsync(Silo, topic, channel, rdy: 2, userAgent: "admin-tests/1.0");
        var first = await consumer.ExpectMessageAsync("first message");
        await consumer.ExpectMessageAsync("second message");
        await consumer.Fin(first.Id);
        await consumer.ExpectMessageAsync("third message");
        var stats = await StatsWhenAsync(topic, "1 finished, 2 in flight, 2 waiting", s =>
            s.ChannelCounter(topic, channel, "in_flight_count") == 2 && s.ChannelCounter(topic, channel, "depth") == 2
            && s.Channel(topic, channel)?.GetProperty("clients")[0].GetProperty("finish_count").GetInt64() == 1);
        return (topic, channel, consumer, stats);
    }

    [Fact]
    public async Task Api_topics_lists_every_topic_of_the_fleet_sorted_with_an_empty_message()
    {
        var (a, _) = await TopicWithChannelAsync(0);
        var (b, _) = await TopicWithChannelAsync(0);
        var json = await Admin.GetOkAsync("/api/topics");
        NsqadminShapes.AssertFields(json, ["topics", "message"]);
        var topics = json.GetProperty("topics").EnumerateArray().Select(t => t.GetString()!).ToList();
        Assert.Contains(a, topics);
        Assert.Contains(b, topics);
        Assert.Equal(topics.Order(StringComparer.Ordinal), topics);
        Assert.Equal("", json.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Api_topic_has_nsqadmins_fields_and_the_figures_of_stats_summed_over_nodes()
    {
        var (topic, channel, consumer, stats) = await ConsumedTopicAsync();
        await using var _ = consumer;
        var json = await Admin.GetOkAsync($"/api/topics/{topic}");
        NsqadminShapes.AssertFields(json, [.. NsqadminShapes.TopicStats, "message"], NsqadminShapes.TopicStatsOptional, "topic");
        Assert.Equal("*", json.GetProperty("node").GetString());
        Assert.Equal(topic, json.GetProperty("topic_name").GetString());
        Assert.Equal(stats.TopicCounter(topic, "message_count"), Number(json, "message_count"));
        Assert.Equal(stats.TopicCounter(topic, "depth"), Number(json, "depth"));
        Assert.Equal(Number(json, "depth") - Number(json, "backend_depth"), Number(json, "memory_depth"));
        var node = Assert.Single(json.GetProperty("nodes").EnumerateArray());
        NsqadminShapes.AssertFields(node, NsqadminShapes.TopicStats, NsqadminShapes.TopicStatsOptional, "topic node");
        Assert.Equal(Silo.HttpAddress, node.GetProperty("node").GetString());
        var sum = Assert.Single(json.GetProperty("channels").EnumerateArray());
        NsqadminShapes.AssertFields(sum, NsqadminShapes.ChannelStats, NsqadminShapes.ChannelStatsOptional, "channel");
        Assert.Equal(channel, sum.GetProperty("channel_name").GetString());
        foreach (var counter in new[] { "depth", "in_flight_count", "deferred_count", "requeue_count", "timeout_count", "message_count", "client_count" })
            Assert.Equal(stats.ChannelCounter(topic, channel, counter), Number(sum, counter));
        Assert.False(json.GetProperty("paused").GetBoolean());
        NsqadminShapes.AssertFields(json.GetProperty("e2e_processing_latency"), NsqadminShapes.E2eLatency, what: "e2e_processing_latency");
    }

    [Fact]
    public async Task Api_channel_lists_every_client_with_nsqadmins_fields_and_its_counts()
    {
        var (topic, channel, consumer, stats) = await ConsumedTopicAsync();
        await using var _ = consumer;
        var json = await Admin.GetOkAsync($"/api/topics/{topic}/{channel}");
        NsqadminShapes.AssertFields(json, [.. NsqadminShapes.ChannelStats, "message"], NsqadminShapes.ChannelStatsOptional, "channel");
        Assert.Equal("*", json.GetProperty("node").GetString());
        Assert.Equal(2, Number(json, "in_flight_count"));
        Assert.Equal(2, Number(json, "depth"));
        Assert.Equal(stats.ChannelCounter(topic, channel, "message_count"), Number(json, "message_count"));
        var client = Assert.Single(json.GetProperty("clients").EnumerateArray());
        NsqadminShapes.AssertFields(client, NsqadminShapes.ClientStats, NsqadminShapes.ClientStatsOptional, "client");
        Assert.Equal(Silo.HttpAddress, client.GetProperty("node").GetString());
        Assert.Equal("admin-tests/1.0", client.GetProperty("user_agent").GetString());
        Assert.Equal("admin-test", client.GetProperty("client_id").GetString());
        Assert.Equal(2, Number(client, "ready_count"));
        Assert.Equal(2, Number(client, "in_flight_count"));
        Assert.Equal(1, Number(client, "finish_count"));
        Assert.Equal(3, Number(client, "message_count"));
        Assert.False(client.GetProperty("tls").GetBoolean());
        // a Go time.Duration: nanoseconds since connect_ts, in whole seconds
        Assert.Equal(0, Number(client, "connected") % 1_000_000_000);
        Assert.InRange(Number(client, "connected"), 0, 600L * 1_000_000_000);
        var node = Assert.Single(json.GetProperty("nodes").EnumerateArray());
        Assert.Equal(Silo.HttpAddress, node.GetProperty("node").GetString());
    }

    [Fact]
    public async Task Api_nodes_lists_the_silo_with_nsqadmins_fields_plus_its_silo_object()
    {
        var (topic, _) = await TopicWithChannelAsync(1);
        var json = await Admin.GetOkAsync("/api/nodes");
        NsqadminShapes.AssertFields(json, ["nodes", "message"]);
        var node = Assert.Single(json.GetProperty("nodes").EnumerateArray());
        NsqadminShapes.AssertFields(node, NsqadminShapes.Producer, NsqadminShapes.ProducerOptional, "node");
        Assert.Equal(Silo.TcpPort, Number(node, "tcp_port"));
        Assert.Equal(Silo.HttpPort, Number(node, "http_port"));
        Assert.Equal("127.0.0.1", node.GetProperty("broadcast_address").GetString());
        Assert.Equal($"{Silo.LookupdHttpAddress}/127.0.0.1:{Silo.TcpPort}", Assert.Single(node.GetProperty("remote_addresses").EnumerateArray()).GetString());
        var produced = node.GetProperty("topics").EnumerateArray().ToList();
        foreach (var t in produced) NsqadminShapes.AssertFields(t, NsqadminShapes.ProducerTopic, what: "producer topic");
        Assert.Contains(produced, t => t.GetProperty("topic").GetString() == topic && !t.GetProperty("tombstoned").GetBoolean());
        var silo = node.GetProperty("silo");
        Assert.Equal("Active", silo.GetProperty("status").GetString());
        Assert.Equal("1.3.0", silo.GetProperty("version").GetString());
        Assert.True(Number(silo, "uptime_seconds") >= 0);
        Assert.True(silo.GetProperty("memory").GetProperty("heap_in_use_bytes").GetInt64() > 0);
        Assert.Contains(topic, silo.GetProperty("topics").EnumerateArray().Select(t => t.GetString()));
    }

    [Fact]
    public async Task Api_node_totals_its_topics_messages_and_clients_as_stats_counts_them()
    {
        var (topic, channel, consumer, _) = await ConsumedTopicAsync();
        await using var _ = consumer;
        var json = await Admin.GetOkAsync($"/api/nodes/{Silo.HttpAddress}");
        NsqadminShapes.AssertFields(json, ["node", "topics", "total_messages", "total_clients", "message"], ["silo"], "node");
        Assert.Equal(Silo.HttpAddress, json.GetProperty("node").GetString());
        var all = JsonDocument.Parse(await Raw.GetStringAsync($"http://{Silo.HttpAddress}/stats?format=json")).RootElement;
        var messages = all.GetProperty("topics").EnumerateArray().Sum(t => t.GetProperty("message_count").GetInt64());
        var clients = all.GetProperty("topics").EnumerateArray().SelectMany(t => t.GetProperty("channels").EnumerateArray()).Sum(c => c.GetProperty("clients").GetArrayLength());
        // other tests of this class publish too: their figures only grow between the two reads
        Assert.InRange(Number(json, "total_messages"), 5, messages);
        Assert.InRange(Number(json, "total_clients"), 1, Math.Max(1, clients));
        var mine = json.GetProperty("topics").EnumerateArray().Single(t => t.GetProperty("topic_name").GetString() == topic);
        NsqadminShapes.AssertFields(mine, NsqadminShapes.TopicStats, NsqadminShapes.TopicStatsOptional, "node topic");
        var ch = Assert.Single(mine.GetProperty("channels").EnumerateArray());
        Assert.Equal(channel, ch.GetProperty("channel_name").GetString());
        Assert.Single(ch.GetProperty("clients").EnumerateArray());
        Assert.Equal("Active", json.GetProperty("silo").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Api_counter_keys_each_channel_as_topic_channel_node_with_its_message_count()
    {
        var (topic, channel) = await TopicWithChannelAsync(3);
        var json = await Admin.GetOkAsync("/api/counter");
        NsqadminShapes.AssertFields(json, ["stats", "message"]);
        var entry = json.GetProperty("stats").GetProperty($"{topic}:{channel}:{Silo.HttpAddress}");
        NsqadminShapes.AssertFields(entry, NsqadminShapes.CounterStats, what: "counter");
        Assert.Equal(3, Number(entry, "message_count"));
        Assert.Equal(Silo.HttpAddress, entry.GetProperty("node").GetString());
    }

    [Fact]
    public async Task Api_topics_inactive_lists_topics_without_producers_with_their_channels()
    {
        var topic = Unique("inactive");
        // registered in lookupd only: no node has it, so lookupd has no producer for it
        await Raw.PostAsync($"http://{Silo.LookupdHttpAddress}/topic/create?topic={topic}", null);
        await Raw.PostAsync($"http://{Silo.LookupdHttpAddress}/channel/create?topic={topic}&channel=c1", null);
        var json = await Admin.GetOkAsync("/api/topics?inactive=true");
        var topics = json.GetProperty("topics");
        Assert.Equal(JsonValueKind.Object, topics.ValueKind);
        Assert.Equal(["c1"], topics.GetProperty(topic).EnumerateArray().Select(c => c.GetString()));
    }

    [Fact]
    public async Task Lookupd_silos_lists_this_silo_as_active_with_its_producer_endpoints()
    {
        var (topic, channel) = await TopicWithChannelAsync(1);
        var json = await LookupdAsync("/silos");
        var silo = Assert.Single(json.GetProperty("silos").EnumerateArray());
        Assert.Equal("Active", silo.GetProperty("status").GetString());
        Assert.StartsWith($"127.0.0.1:{Silo.SiloPort}@", silo.GetProperty("address").GetString());
        var producer = silo.GetProperty("producer");
        Assert.Equal(Silo.TcpPort, Number(producer, "tcp_port"));
        Assert.Equal(Silo.HttpPort, Number(producer, "http_port"));
        Assert.Contains(topic, silo.GetProperty("topics").EnumerateArray().Select(t => t.GetString()));
        Assert.Contains($"{topic}/{channel}", silo.GetProperty("channels").EnumerateArray().Select(t => t.GetString()));
        Assert.True(DateTimeOffset.TryParse(silo.GetProperty("start_time").GetString(), out _));
        var admin = await Admin.GetOkAsync("/api/silos");
        Assert.Equal(silo.GetProperty("address").GetString(), Assert.Single(admin.GetProperty("silos").EnumerateArray()).GetProperty("address").GetString());
    }

    [Fact]
    public async Task Config_answers_nsqadmins_options_and_put_log_level_changes_it()
    {
        var lookupds = await Admin.GetOkAsync("/config/nsqlookupd_http_addresses");
        Assert.Equal([Silo.LookupdHttpAddress], lookupds.EnumerateArray().Select(a => a.GetString()));
        var set = await Admin.PutAsync("/config/log_level", "debug");
        Assert.Equal(HttpStatusCode.OK, set.Status);
        Assert.Equal("1", set.Body);
        Assert.Equal("1", (await Admin.GetAsync("/config/log_level")).Body);
        Assert.Equal("2", (await Admin.PutAsync("/config/log_level", "info")).Body);
        var unknown = await Admin.PutAsync("/config/nope", "1");
        Assert.Equal((HttpStatusCode.BadRequest, "INVALID_OPTION"), (unknown.Status, unknown.Message));
        var bad = await Admin.PutAsync("/config/log_level", "loud");
        Assert.Equal((HttpStatusCode.BadRequest, "INVALID_VALUE"), (bad.Status, bad.Message));
        Assert.Equal("127.0.0.1/8", (await Admin.GetAsync("/config/allow_config_from_cidr")).Body);
    }
}
