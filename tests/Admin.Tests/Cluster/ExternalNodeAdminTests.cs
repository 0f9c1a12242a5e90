using System.Text.Json;
using OrleansNsq.Admin.Tests.Infrastructure;

namespace OrleansNsq.Admin.Tests.Cluster;

/// <summary>
/// A node registered over lookupd TCP as an nsqd registers (here a Silo run with --lookupd-tcp-address, of another
/// Orleans cluster): the admin lists it with nsqadmin's fields and no silo object, reads its /stats, and acts on it.
/// </summary>
public sealed class ExternalNodeAdminTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task An_nsqd_registered_over_lookupd_tcp_is_a_node_without_a_silo_object_whose_topics_the_admin_reads_and_pauses()
    {
        await using var b = await SiloProcess.StartAsync();
        await using var a = await SiloProcess.StartAsync("--lookupd-tcp-address", b.LookupdTcpAddress);
        var topic = $"ext-{Guid.NewGuid():N}"[..16];
        using (var http = new NsqdHttp(a))
        {
            await http.CreateTopicAsync(topic);
            await http.CreateChannelAsync(topic, "c");
            await http.PubAsync(topic, "on the external node");
        }
        using var admin = new AdminHttp(b.AdminHttpAddress);
        JsonElement nodes = default;
        await BoundedWait.UntilAsync("registered", $"B's admin to list A (http_port {a.HttpPort}) with {topic}", Wait, async () =>
        {
            nodes = await admin.GetOkAsync("/api/nodes");
            var external = nodes.GetProperty("nodes").EnumerateArray().Where(n => n.GetProperty("http_port").GetInt32() == a.HttpPort);
            // a node without topics has "topics": null, as nsqadmin writes a Go nil slice
            return (external.Any(n => n.GetProperty("topics") is { ValueKind: JsonValueKind.Array } topics
                && topics.EnumerateArray().Any(t => t.GetProperty("topic").GetString() == topic)), nodes.ToString());
        }, () => a.OutputSince(0));
        output.WriteLine(nodes.ToString());
        var listed = nodes.GetProperty("nodes").EnumerateArray().ToList();
        var nodeA = listed.Single(n => n.GetProperty("http_port").GetInt32() == a.HttpPort);
        var nodeB = listed.Single(n => n.GetProperty("http_port").GetInt32() == b.HttpPort);
        NsqadminShapes.AssertFields(nodeA, NsqadminShapes.Producer, NsqadminShapes.ProducerOptional, "external node");
        Assert.False(nodeA.TryGetProperty("silo", out _));
        Assert.Equal("Active", nodeB.GetProperty("silo").GetProperty("status").GetString());

        var stats = await admin.GetOkAsync($"/api/topics/{topic}");
        Assert.Equal(1, stats.GetProperty("message_count").GetInt64());
        Assert.Equal(a.HttpAddress, Assert.Single(stats.GetProperty("nodes").EnumerateArray()).GetProperty("node").GetString());
        var node = await admin.GetOkAsync($"/api/nodes/{a.HttpAddress}");
        Assert.False(node.TryGetProperty("silo", out _));
        Assert.Equal(1, node.GetProperty("total_messages").GetInt64());

        var pause = await admin.PostAsync($"/api/topics/{topic}/c", """{"action":"pause"}""");
        Assert.Equal("", pause.Message);
        using var nsqd = new NsqdHttp(a);
        await BoundedWait.UntilAsync("pause", "channel paused on A", Wait, async () =>
        {
            var s = await nsqd.StatsAsync(topic);
            return (s.Channel(topic, "c")?.GetProperty("paused").GetBoolean() == true, s.Root.ToString());
        });
    }
}
