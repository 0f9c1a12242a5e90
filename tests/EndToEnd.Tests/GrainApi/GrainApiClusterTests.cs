using OrleansNsq.EndToEnd.Tests.Infrastructure;
using OrleansNsq.Tests.Postgres;

namespace OrleansNsq.EndToEnd.Tests.GrainApi;

/// <summary>The sample service as an Orleans client of a two-silo cluster (--cluster postgres), with nsqjs on the same
/// topic through both silos: the grain API and NSQ's protocol see one fleet.</summary>
public sealed class GrainApiClusterTests(ITestOutputHelper output)
{
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(30);

    [PostgresFact]
    public async Task The_sample_on_a_cluster_consumes_what_nsqjs_publishes_on_every_silo_and_publishes_to_an_nsqjs_consumer()
    {
        const int perSilo = 50;
        const int total = 2 * perSilo;
        await using var schema = await PostgresTestServer.CreateSchemaAsync();
        await using var cluster = await SiloCluster.StartAsync(schema.ConnectionString, 2);
        var topic = $"grainc-{Guid.NewGuid():N}"[..19];
        string[] clusterFlags = ["--cluster", "postgres", "--cluster-connection", schema.ConnectionString, "--cluster-id", cluster.ClusterId];
        using var http = new NsqdHttp(cluster.Silos[0]);
        try
        {
            // NSQ → grain API: nsqjs publishes on both silos, the sample consumes channel 'grain'.
            await using (var consumer = GrainServiceProcess.Start([.. clusterFlags, "--topic", topic, "--channel", "grain",
                             "--expect", total.ToString(), "--print-bodies"]))
            {
                await BoundedWait.UntilAsync("the sample subscribed", "channel 'grain' with client_count 1", ScriptTimeout, async () =>
                {
                    var count = (await http.StatsAsync(topic)).ChannelCounter(topic, "grain", "client_count");
                    return (count == 1, $"client_count {count?.ToString() ?? "absent"}");
                }, consumer.Transcript);
                for (var i = 0; i < cluster.Silos.Count; i++)
                {
                    (await NodeScript.RunAsync("publish.js", $"nsqjs publishes on silo {i}", ScriptTimeout,
                        ("nsqd", cluster.Silos[i].TcpAddress), ("topic", topic), ("count", perSilo), ("prefix", $"s{i}-"),
                        ("mode", "mixed"), ("mpub-batch", 10))).EnsureOk();
                }

                var (exitCode, bodies, summary) = await consumer.CompleteAsync("the sample consumes on the cluster", ScriptTimeout);
                Assert.True(exitCode == 0, $"sample exited {exitCode}: {summary}{Environment.NewLine}{consumer.Transcript()}");
                var expected = Enumerable.Range(0, perSilo).SelectMany(i => new[] { $"s0-{i}", $"s1-{i}" }).Order();
                Assert.Equal(expected, bodies.Order());
            }

            // grain API → NSQ: the sample publishes, nsqjs consumes through lookupd from both silos.
            await http.CreateChannelAsync(topic, "nsqjs");
            await using (var publisher = GrainServiceProcess.Start([.. clusterFlags, "--topic", topic, "--publish", total.ToString(),
                             "--batch", "25", "--prefix", "g-"]))
            {
                var (exitCode, _, summary) = await publisher.CompleteAsync("the sample publishes on the cluster", ScriptTimeout);
                Assert.True(exitCode == 0, $"sample exited {exitCode}: {summary}{Environment.NewLine}{publisher.Transcript()}");
            }
            var consumed = (await NodeScript.RunAsync("consume.js", "nsqjs consumes through lookupd", ScriptTimeout,
                ("lookupd", string.Join(',', cluster.Silos.Select(s => s.LookupdHttpAddress))), ("topic", topic),
                ("channel", "nsqjs"), ("expect", total), ("linger-ms", 300))).EnsureOk();
            output.WriteLine(consumed.ToString());
            Assert.True(consumed.Number("unique") == total && consumed.Number("received") == total,
                $"expected {total} bodies, each once: {consumed.Json}");
        }
        finally
        {
            foreach (var silo in cluster.Silos) output.WriteLine(silo.OutputSince(0));
        }
    }
}
