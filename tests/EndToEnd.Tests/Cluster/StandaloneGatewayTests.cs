using System.Text.Json;
using OrleansNsq.EndToEnd.Tests.Infrastructure;
using OrleansNsq.Tests.Postgres;

namespace OrleansNsq.EndToEnd.Tests.Cluster;

/// <summary>
/// The standalone Gateway process: an Orleans client with the NSQ ports of a node, so connection handling scales apart
/// from the silos. What it accepts is the silos' (same grains); its lookupd lists the silos' gateways.
/// </summary>
public sealed class StandaloneGatewayTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_gateway_in_front_of_a_single_node_silo_publishes_to_and_consumes_from_it()
    {
        await using var silo = await SiloProcess.StartAsync();
        await using var gateway = await SiloProcess.StartGatewayAsync(new Dictionary<string, string>(),
            "--gateway-port", silo.GatewayPort.ToString());
        try
        {
            var topic = $"gw-{Guid.NewGuid():N}"[..16];
            await using (var publisher = await V2Client.ConnectAsync(gateway.TcpPort))
            {
                await publisher.Pub(topic, "through the gateway");
                await publisher.ExpectOkAsync("PUB via the gateway");
            }
            using (var http = new NsqdHttp(gateway)) await http.PubAsync(topic, "over the gateway's HTTP");

            await using var consumer = await V2Client.ConnectAsync(silo.TcpPort);
            await consumer.Sub(topic, "c");
            await consumer.ExpectOkAsync("SUB on the silo");
            await consumer.Rdy(10);
            var bodies = new HashSet<string>
            {
                (await consumer.ExpectMessageAsync("first")).BodyText,
                (await consumer.ExpectMessageAsync("second")).BodyText,
            };
            Assert.Equal(["over the gateway's HTTP", "through the gateway"], bodies.Order());

            // Its lookupd knows the silo (from membership), not itself, as the producer.
            using var lookupd = new HttpClient();
            using var lookup = JsonDocument.Parse(await lookupd.GetStringAsync($"http://{gateway.LookupdHttpAddress}/lookup?topic={topic}"));
            Assert.Equal([silo.TcpPort], lookup.RootElement.GetProperty("producers").EnumerateArray().Select(p => p.GetProperty("tcp_port").GetInt32()));
        }
        finally
        {
            output.WriteLine(gateway.OutputSince(0));
        }
    }

    [PostgresFact]
    public async Task A_gateway_of_a_cluster_serves_every_silo_s_topics_and_exits_0_on_SIGTERM()
    {
        await using var schema = await PostgresTestServer.CreateSchemaAsync();
        await using var cluster = await SiloCluster.StartAsync(schema.ConnectionString, 2);
        var gateway = await SiloProcess.StartGatewayAsync(new Dictionary<string, string>(),
            "--cluster", "postgres", "--cluster-connection", schema.ConnectionString, "--cluster-id", cluster.ClusterId);
        try
        {
            var topic = $"gw-{Guid.NewGuid():N}"[..16];
            using (var http = new NsqdHttp(cluster.Silos[1]))
            {
                await http.CreateTopicAsync(topic);
                await http.CreateChannelAsync(topic, "c");
            }
            await using (var publisher = await V2Client.ConnectAsync(gateway.TcpPort))
            {
                await publisher.Mpub(topic, ["a", "b", "c"]);
                await publisher.ExpectOkAsync("MPUB via the gateway");
            }

            await using var consumer = await V2Client.ConnectAsync(cluster.Silos[0].TcpPort);
            await consumer.Sub(topic, "c");
            await consumer.ExpectOkAsync("SUB on silo 0");
            await consumer.Rdy(10);
            var bodies = new List<string>();
            for (var i = 0; i < 3; i++) bodies.Add((await consumer.ExpectMessageAsync($"message {i}")).BodyText);
            Assert.Equal(["a", "b", "c"], bodies.Order());

            Assert.Equal(cluster.Silos.Select(s => s.TcpPort).Order(), await SiloCluster.NodesAsync(gateway));
            Assert.Equal(0, await gateway.TerminateAsync(TimeSpan.FromSeconds(30)));
        }
        finally
        {
            output.WriteLine(gateway.OutputSince(0));
            await gateway.DisposeAsync();
        }
    }
}
