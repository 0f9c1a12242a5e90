using OrleansNsq.EndToEnd.Tests.Infrastructure;
using OrleansNsq.Tests.Postgres;

namespace OrleansNsq.EndToEnd.Tests.GrainApi;

/// <summary>The sample service as an Orleans client of a two-silo cluster (--cluster postgres), with nsqjs on the same
/// topic through both silos: the grain API and NSQ's protocol see one fleet.</summary>
public sealed class GrainApiClusterTests(ITestOutputHelper output)
{
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(40);

    [PostgresFact]
    public async Task On_a_cluster_the_sample_and_nsqjs_each_get_every_message_either_one_published_exactly_once()
    {
        const int perSilo = 50;
        const int fromSample = 100;
        const int total = 2 * perSilo + fromSample;
        await using var schema = await PostgresTestServer.CreateSchemaAsync();
        await using var cluster = await SiloCluster.StartAsync(schema.ConnectionString, 2);
        var topic = $"grainc-{Guid.NewGuid():N}"[..19];
        using var http = new NsqdHttp(cluster.Silos[0]);
        await http.CreateTopicAsync(topic);
        await http.CreateChannelAsync(topic, "nsqjs");
        try
        {
            // The sample subscribes to channel 'grain' first, then publishes through ITopicGrain and consumes.
            await using var sample = GrainServiceProcess.Start("--cluster", "postgres", "--cluster-connection", schema.ConnectionString,
                "--cluster-id", cluster.ClusterId, "--topic", topic, "--channel", "grain", "--publish", fromSample.ToString(),
                "--batch", "25", "--prefix", "g-", "--expect", total.ToString(), "--print-bodies");
            await BoundedWait.UntilAsync("the sample subscribed", "channel 'grain' with client_count 1", ScriptTimeout, async () =>
            {
                var count = (await http.StatsAsync(topic)).ChannelCounter(topic, "grain", "client_count");
                return (count == 1, $"client_count {count?.ToString() ?? "absent"}");
            }, sample.Transcript);

            // nsqjs consumes channel 'nsqjs' through both lookupds and publishes on both silos, at the same time.
            await using var consumer = NodeScript.Start("consume.js", ScriptTimeout,
                ("lookupd", string.Join(',', cluster.Silos.Select(s => s.LookupdHttpAddress))), ("topic", topic),
                ("channel", "nsqjs"), ("expect", total), ("linger-ms", 300));
            var publishers = cluster.Silos.Select((silo, i) => NodeScript.RunAsync("publish.js", $"nsqjs publishes on silo {i}",
                ScriptTimeout, ("nsqd", silo.TcpAddress), ("topic", topic), ("count", perSilo), ("prefix", $"s{i}-"),
                ("mode", "mixed"), ("mpub-batch", 10))).ToArray();
            foreach (var published in await Task.WhenAll(publishers)) Assert.Equal(perSilo, published.EnsureOk().Number("published"));

            var expected = Enumerable.Range(0, perSilo).SelectMany(i => new[] { $"s0-{i}", $"s1-{i}" })
                .Concat(Enumerable.Range(0, fromSample).Select(i => $"g-{i}")).Order().ToArray();
            var (exitCode, bodies, summary) = await sample.CompleteAsync("the sample consumes on the cluster", ScriptTimeout);
            Assert.True(exitCode == 0, $"sample exited {exitCode}: {summary}{Environment.NewLine}{sample.Transcript()}");
            Assert.Equal(expected, bodies.Order());
            Assert.Equal(fromSample, summary.GetProperty("published").GetInt64());

            var consumed = (await consumer.CompleteAsync("nsqjs consumes through lookupd")).EnsureOk();
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
