using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using OrleansNsq.EndToEnd.Tests.Infrastructure;
using OrleansNsq.Tests.Postgres;

namespace OrleansNsq.EndToEnd.Tests.Cluster;

/// <summary>
/// Three real Silo processes in cluster mode on one PostgreSQL: one NSQ fleet. Every silo's lookupd lists every live
/// silo's gateway as a producer; any gateway serves any topic; an unmodified nsqjs reader given only a lookupd address
/// connects to all three and gets each message once; a silo killed with -9 loses no message that got OK at
/// --mem-queue-size=0, and a new silo joins and takes load (docs/CLUSTER.md).
/// </summary>
public sealed class ClusterTests(ITestOutputHelper output)
{
    private static readonly TimeSpan ConsumeTimeout = TimeSpan.FromSeconds(120);

    [PostgresFact]
    public async Task Lookupd_of_any_silo_lists_every_silo_and_an_nsqjs_reader_gets_each_message_once_from_all_three()
    {
        await using var schema = await PostgresTestServer.CreateSchemaAsync();
        await using var cluster = await SiloCluster.StartAsync(schema.ConnectionString, 3);
        try
        {
            var topic = $"fleet-{Guid.NewGuid():N}"[..20];
            using (var http = new NsqdHttp(cluster.Silos[0]))
            {
                await http.CreateTopicAsync(topic);
                await http.CreateChannelAsync(topic, "c");
            }

            // Each silo's lookupd: the topic, its channel, all three gateways as producers.
            foreach (var silo in cluster.Silos)
            {
                using var lookup = await LookupAsync(silo, topic);
                Assert.Equal(["c"], lookup.RootElement.GetProperty("channels").EnumerateArray().Select(c => c.GetString()));
                Assert.Equal(cluster.Silos.Select(s => s.TcpPort).Order(), ProducerPorts(lookup));
            }

            // Published through every gateway; the topic's grains live on one silo or another.
            var bodies = new List<string>();
            for (var s = 0; s < cluster.Silos.Count; s++)
            {
                await using var publisher = await V2Client.ConnectAsync(cluster.Silos[s].TcpPort);
                var part = Enumerable.Range(0, 100).Select(i => $"via-{s}-{i}").ToArray();
                await publisher.Mpub(topic, part);
                await publisher.ExpectOkAsync($"MPUB via silo {s}");
                bodies.AddRange(part);
            }

            var result = (await NodeScript.RunAsync("consume.js", "nsqjs reader with only silo 1's lookupd", ConsumeTimeout,
                ("lookupd", cluster.Silos[1].LookupdHttpAddress), ("lookupd-poll-s", 1), ("topic", topic), ("channel", "c"),
                ("expect", bodies.Count), ("max-in-flight", 30), ("linger-ms", 1500))).EnsureOk();
            output.WriteLine(result.ToString());
            Assert.Equal(3, result.Number("connected"));
            Assert.Equal(bodies.Count, result.Number("unique"));
            Assert.Equal(0, result.Number("redeliveries"));

            // A tombstone hides one producer of one topic, from every silo's lookupd.
            using (var lookupd = new HttpClient())
            {
                var node = $"127.0.0.1:{cluster.Silos[2].HttpPort}";
                using var tombstone = await lookupd.PostAsync(
                    $"http://{cluster.Silos[0].LookupdHttpAddress}/topic/tombstone?topic={topic}&node={node}", null);
                Assert.True(tombstone.IsSuccessStatusCode);
            }
            using (var lookup = await LookupAsync(cluster.Silos[1], topic))
                Assert.Equal(new[] { cluster.Silos[0].TcpPort, cluster.Silos[1].TcpPort }.Order(), ProducerPorts(lookup));
        }
        finally
        {
            output.WriteLine(cluster.Output());
        }
    }

    [PostgresFact]
    public async Task Kill_9_of_one_silo_of_three_loses_no_acknowledged_message_and_a_new_silo_takes_load()
    {
        await using var schema = await PostgresTestServer.CreateSchemaAsync();
        await using var cluster = await SiloCluster.StartAsync(schema.ConnectionString, 3, "--mem-queue-size", "0", "--msg-timeout", "5s");
        try
        {
            var topic = $"failover-{Guid.NewGuid():N}"[..20];
            using (var http = new NsqdHttp(cluster.Silos[0]))
            {
                await http.CreateTopicAsync(topic);
                await http.CreateChannelAsync(topic, "c");
            }
            var survivor = cluster.Silos[0];
            var acknowledged = new ConcurrentDictionary<string, bool>();
            var received = new ConcurrentDictionary<string, int>();
            using var stopPublishing = new CancellationTokenSource();
            using var stopConsuming = new CancellationTokenSource();

            // Publishers and consumers on every silo; when their gateway dies they reconnect to a producer that
            // silo 0's lookupd lists, as a client configured with lookupd does.
            var publishers = cluster.Silos.SelectMany((silo, s) => Enumerable.Range(0, 2).Select(p =>
                FleetClient.PublishAsync(silo.TcpPort, survivor, topic, $"s{s}p{p}", acknowledged, stopPublishing.Token))).ToArray();
            var consumers = cluster.Silos.Select(silo =>
                FleetClient.ConsumeAsync(silo.TcpPort, survivor, topic, "c", received, stopConsuming.Token)).ToArray();

            await BoundedWait.UntilAsync("publishing to the fleet", "3,000 acknowledged PUBs", TimeSpan.FromSeconds(60),
                () => Task.FromResult((acknowledged.Count >= 3_000, $"{acknowledged.Count} acknowledged")));
            var victim = cluster.Silos[2];
            output.WriteLine($"kill -9 of the silo on tcp {victim.TcpPort} with {acknowledged.Count} PUBs acknowledged");
            await victim.KillAsync();

            // Membership declares it dead: it leaves every survivor's lookupd.
            await cluster.WaitForProducersAsync(2, TimeSpan.FromSeconds(60));
            var atDeath = acknowledged.Count;
            await BoundedWait.UntilAsync("publishing after the failover", "1,000 more acknowledged PUBs", TimeSpan.FromSeconds(60),
                () => Task.FromResult((acknowledged.Count >= atDeath + 1_000, $"{acknowledged.Count - atDeath} more acknowledged")));
            stopPublishing.Cancel();
            await Task.WhenAll(publishers);

            await BoundedWait.UntilAsync("consuming every acknowledged message", "no acknowledged body missing", TimeSpan.FromSeconds(90),
                () =>
                {
                    var missing = acknowledged.Keys.Count(body => !received.ContainsKey(body));
                    return Task.FromResult((missing == 0, $"{missing} of {acknowledged.Count} acknowledged bodies not received yet"));
                });
            var duplicates = received.Values.Sum() - received.Count;
            output.WriteLine($"{acknowledged.Count} acknowledged, {received.Count} distinct received, {duplicates} duplicates");

            // A new silo joins, appears in lookupd, and serves publishes and consumers of the same topic.
            var joined = await cluster.AddSiloAsync();
            await cluster.WaitForProducersAsync(3, TimeSpan.FromSeconds(60));
            var late = Enumerable.Range(0, 50).Select(i => $"joined-{i}").ToArray();
            await using (var publisher = await V2Client.ConnectAsync(joined.TcpPort))
            {
                await publisher.Mpub(topic, late);
                await publisher.ExpectOkAsync("MPUB via the new silo");
            }
            await BoundedWait.UntilAsync("consuming what the new silo took", "all 50 received", TimeSpan.FromSeconds(60),
                () => Task.FromResult((late.All(received.ContainsKey), $"{late.Count(received.ContainsKey)} of 50")));
            stopConsuming.Cancel();
            await Task.WhenAll(consumers);
        }
        finally
        {
            output.WriteLine(cluster.Output());
        }
    }

    private static async Task<JsonDocument> LookupAsync(SiloProcess silo, string topic)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        return JsonDocument.Parse(await http.GetStringAsync($"http://{silo.LookupdHttpAddress}/lookup?topic={topic}"));
    }

    private static int[] ProducerPorts(JsonDocument lookup) =>
        lookup.RootElement.GetProperty("producers").EnumerateArray().Select(p => p.GetProperty("tcp_port").GetInt32()).Order().ToArray();

    /// <summary>Test clients that survive their gateway's death: on a lost connection (or an E_PUB_FAILED, which
    /// closes it) they reconnect to a producer of the topic that the survivor's lookupd lists.</summary>
    private static class FleetClient
    {
        private const int Pipelined = 10;

        public static async Task PublishAsync(int port, SiloProcess lookupd, string topic, string name,
            ConcurrentDictionary<string, bool> acknowledged, CancellationToken stop)
        {
            for (var round = 0; !stop.IsCancellationRequested;)
            {
                try
                {
                    await using var client = await V2Client.ConnectAsync(port);
                    while (!stop.IsCancellationRequested)
                    {
                        var bodies = Enumerable.Range(0, Pipelined).Select(i => $"{name}-{round}-{i}").ToArray();
                        round++;
                        foreach (var body in bodies) await client.Pub(topic, body);
                        foreach (var body in bodies)
                        {
                            var frame = await NextFrameAsync(client, "PUB reply") ?? throw new IOException("closed");
                            if (frame.Type == FrameType.Response && frame.Text == "OK") acknowledged[body] = true;
                            else throw new IOException($"PUB answered {frame}"); // E_PUB_FAILED: the connection closes
                        }
                    }
                }
                catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or InvalidDataException
                                              or ObjectDisposedException or TimeoutException)
                {
                    port = await ReconnectPortAsync(lookupd, topic, port, stop);
                }
            }
        }

        public static async Task ConsumeAsync(int port, SiloProcess lookupd, string topic, string channel,
            ConcurrentDictionary<string, int> received, CancellationToken stop)
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await using var client = await V2Client.ConnectAsync(port);
                    await client.Sub(topic, channel);
                    await client.ExpectOkAsync("SUB");
                    await client.Rdy(200);
                    while (!stop.IsCancellationRequested)
                    {
                        // Nothing for 3 s (a TimeoutException) also reconnects: a quiet connection costs nothing to
                        // replace, and the loop sees the stop token again.
                        var frame = await client.ReadFrameAsync("consuming", TimeSpan.FromSeconds(3)) ?? throw new IOException("closed");
                        if (frame.IsHeartbeat)
                        {
                            await client.Nop();
                            continue;
                        }
                        if (frame.Type != FrameType.Message) continue; // E_FIN_FAILED after a failover: harmless
                        var message = NsqMessage.Parse(frame.Data);
                        received.AddOrUpdate(message.BodyText, 1, static (_, n) => n + 1);
                        await client.Fin(message.Id);
                    }
                }
                catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or InvalidDataException
                                              or ObjectDisposedException or TimeoutException)
                {
                    port = await ReconnectPortAsync(lookupd, topic, port, stop);
                }
            }
        }

        private static async Task<Frame?> NextFrameAsync(V2Client client, string phase)
        {
            Frame? frame;
            do frame = await client.ReadFrameAsync(phase, TimeSpan.FromSeconds(40));
            while (frame is { IsHeartbeat: true });
            return frame;
        }

        /// <summary>After half a second, a producer of the topic other than the one that failed, from lookupd.</summary>
        private static async Task<int> ReconnectPortAsync(SiloProcess lookupd, string topic, int failed, CancellationToken stop)
        {
            try
            {
                await Task.Delay(500, stop);
                using var lookup = await LookupAsync(lookupd, topic);
                var ports = ProducerPorts(lookup);
                return ports.FirstOrDefault(p => p != failed, failed);
            }
            catch (Exception e) when (e is OperationCanceledException or HttpRequestException or JsonException)
            {
                return failed;
            }
        }
    }
}
