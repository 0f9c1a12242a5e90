using System.Text.Json;
using OrleansNsq.Admin.Tests.Infrastructure;
using OrleansNsq.Tests.Postgres;

namespace OrleansNsq.Admin.Tests.Cluster;

/// <summary>
/// Two Silo processes in cluster mode and a standalone Gateway: every admin sees both silos as nodes, each with its
/// silo object; a silo killed with -9 leaves /api/nodes and shows as Dead in /api/silos.
/// </summary>
public sealed class SiloClusterAdminTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(90);

    [PostgresFact]
    public async Task Every_admin_lists_every_silo_as_a_node_and_a_killed_silo_turns_dead()
    {
        await using var schema = await PostgresTestServer.CreateSchemaAsync();
        await using var cluster = await SiloCluster.StartAsync(schema.ConnectionString, 2);
        await using var gateway = await SiloProcess.StartGatewayAsync(new Dictionary<string, string>(),
            "--cluster", "postgres", "--cluster-connection", schema.ConnectionString, "--cluster-id", cluster.ClusterId);
        try
        {
            var topic = $"cl-{Guid.NewGuid():N}"[..16];
            using (var http = new NsqdHttp(cluster.Silos[0]))
            {
                await http.CreateTopicAsync(topic);
                await http.CreateChannelAsync(topic, "c");
                await http.PubAsync(topic, "one");
            }
            var httpPorts = cluster.Silos.Select(s => s.HttpPort).Order().ToArray();
            foreach (var admin in new[] { cluster.Silos[0].AdminHttpAddress, cluster.Silos[1].AdminHttpAddress, gateway.AdminHttpAddress })
            {
                using var http = new AdminHttp(admin);
                var nodes = await http.GetOkAsync("/api/nodes");
                var listed = nodes.GetProperty("nodes").EnumerateArray().ToList();
                Assert.Equal(httpPorts, listed.Select(n => n.GetProperty("http_port").GetInt32()).Order());
                foreach (var node in listed)
                {
                    var silo = node.GetProperty("silo");
                    Assert.Equal("Active", silo.GetProperty("status").GetString());
                    Assert.Equal(JsonValueKind.Object, silo.GetProperty("memory").ValueKind);
                }
                // the topic's grain lives on exactly one silo
                Assert.Single(listed, n => n.GetProperty("silo").GetProperty("topics").EnumerateArray().Any(t => t.GetString() == topic));
                var stats = await http.GetOkAsync($"/api/topics/{topic}");
                Assert.Equal(2, stats.GetProperty("nodes").GetArrayLength());
                Assert.Equal("", stats.GetProperty("message").GetString());
            }

            var killed = cluster.Silos[1];
            await killed.KillAsync();
            using var survivor = new AdminHttp(cluster.Silos[0].AdminHttpAddress);
            // Until membership declares the silo dead, grain calls to it fail and so may lookupd: 502s are waited out.
            await BoundedWait.UntilAsync("silo declared dead", "one node in /api/nodes and the killed silo Dead in /api/silos", Wait, async () =>
            {
                var nodesAnswer = await survivor.GetAsync("/api/nodes");
                var silosAnswer = await survivor.GetAsync("/api/silos");
                if (nodesAnswer.Status != System.Net.HttpStatusCode.OK || silosAnswer.Status != System.Net.HttpStatusCode.OK)
                    return (false, $"{nodesAnswer}; {silosAnswer}");
                var (nodes, silos) = (nodesAnswer.Json, silosAnswer.Json);
                var dead = silos.GetProperty("silos").EnumerateArray().Any(s =>
                    s.GetProperty("status").GetString() == "Dead" && s.GetProperty("producer").GetProperty("http_port").GetInt32() == killed.HttpPort);
                return (nodes.GetProperty("nodes").GetArrayLength() == 1 && dead, $"{nodes}; {silos}");
            });
        }
        catch
        {
            output.WriteLine(cluster.Output());
            output.WriteLine(gateway.OutputSince(0));
            throw;
        }
    }
}
