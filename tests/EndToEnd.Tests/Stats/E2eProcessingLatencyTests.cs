using System.Text.Json;
using OrleansNsq.EndToEnd.Tests.Infrastructure;

namespace OrleansNsq.EndToEnd.Tests.Stats;

/// <summary>--e2e-processing-latency-percentile: /stats reports how long messages took from publish to FIN.</summary>
public sealed class E2eProcessingLatencyTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Stats_report_the_publish_to_fin_latency_at_each_configured_percentile_per_channel_and_topic()
    {
        await using var silo = await SiloProcess.StartAsync("--e2e-processing-latency-percentile=0.5,1.0", "--e2e-processing-latency-percentile", "0.99");
        using var http = new NsqdHttp(silo);
        using var client = new HttpClient();
        Assert.Equal("[1,0.99,0.5]", await client.GetStringAsync($"http://{silo.HttpAddress}/config/e2e_processing_latency_percentiles"));
        Assert.Equal("600000000000", await client.GetStringAsync($"http://{silo.HttpAddress}/config/e2e_processing_latency_window_time"));

        await http.CreateTopicAsync("e2e_t");
        await http.CreateChannelAsync("e2e_t", "c");
        await http.MpubAsync("e2e_t", ["a", "b", "c", "d"]);
        await using (var consumer = await V2Client.ConnectAsync(silo.TcpPort))
        {
            await consumer.Sub("e2e_t", "c");
            await consumer.ExpectOkAsync("SUB");
            await consumer.Rdy(4);
            var messages = new List<NsqMessage>();
            for (var i = 0; i < 4; i++) messages.Add(await consumer.ExpectMessageAsync($"message {i}"));
            // The node stamped each message at publish (Unix ns, this machine's clock): a FIN handled after it was
            // sent took at least this long from publish.
            var finSentNs = UnixNs();
            foreach (var message in messages) await consumer.Fin(message.Id);

            JsonElement channel = default;
            await BoundedWait.UntilAsync("FINs reach the channel", "e2e count 4", TimeSpan.FromSeconds(30), async () =>
            {
                channel = (await http.StatsAsync("e2e_t")).Channel("e2e_t", "c")!.Value;
                var count = channel.GetProperty("e2e_processing_latency").GetProperty("count").GetInt64();
                return (count == 4, $"count {count}");
            });
            // Every FIN was handled before /stats counted it.
            var countedNs = UnixNs();
            var least = (finSentNs - messages.Max(m => m.Timestamp)) * 0.968;
            var most = (countedNs - messages.Min(m => m.Timestamp)) * 1.032 + 1;
            var stats = await http.StatsAsync("e2e_t");
            var topic = stats.Topic("e2e_t")!.Value;
            output.WriteLine(channel.GetProperty("e2e_processing_latency").GetRawText());
            output.WriteLine(topic.GetProperty("e2e_processing_latency").GetRawText());

            foreach (var figure in new[] { channel.GetProperty("e2e_processing_latency"), topic.GetProperty("e2e_processing_latency") })
            {
                Assert.Equal(4, figure.GetProperty("count").GetInt64());
                var percentiles = figure.GetProperty("percentiles").EnumerateArray().ToArray();
                Assert.Equal([1.0, 0.99, 0.5], percentiles.Select(p => p.GetProperty("quantile").GetDouble()));
                foreach (var p in percentiles)
                {
                    // From publish to the FIN's send at least, to /stats' count at most (each ± the bucket's 3.2 %).
                    Assert.InRange(p.GetProperty("value").GetDouble(), least, most);
                }
            }
            var text = await client.GetStringAsync($"http://{silo.HttpAddress}/stats?topic=e2e_t");
            Assert.Matches(@"\[c +\] depth: .* e2e%: \d+\.\d(s|ms|us|ns), \d+\.\d(s|ms|us|ns), \d+\.\d(s|ms|us|ns)\n", text);
        }
    }

    [Fact]
    public async Task Without_percentiles_the_figure_is_nsqds_empty_one()
    {
        await using var silo = await SiloProcess.StartAsync();
        using var http = new NsqdHttp(silo);
        await http.CreateTopicAsync("e2e_none");
        await http.CreateChannelAsync("e2e_none", "c");

        var channel = (await http.StatsAsync("e2e_none")).Channel("e2e_none", "c")!.Value;

        Assert.Equal("""{"count":0,"percentiles":null}""", channel.GetProperty("e2e_processing_latency").GetRawText());
    }

    [Fact]
    public async Task A_percentile_outside_0_to_1_stops_the_silo_at_start()
    {
        var started = SiloProcess.StartAsync("--e2e-processing-latency-percentile=1.5");

        var error = await Assert.ThrowsAsync<SiloExitedException>(() => started);
        Assert.Contains("invalid E2E processing latency percentile", error.Output);
    }

    private static long UnixNs() => (DateTimeOffset.UtcNow.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;
}
