using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using OrleansNsq.EndToEnd.Tests.Infrastructure;

namespace OrleansNsq.EndToEnd.Tests.Metrics;

/// <summary>GET /metrics on the nsqd HTTP port: the broker's counters in Prometheus text format, agreeing with
/// /stats, beside Orleans', the runtime's and ASP.NET Core's.</summary>
public sealed partial class PrometheusMetricsTests(ITestOutputHelper output)
{
    private static readonly Dictionary<string, string> FastSampling = new() { ["Metrics__SampleInterval"] = "00:00:00.200" };

    // One sample line of the text format: name, optional {labels}, value.
    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>[^}]*)\})? (?<value>\S+)$""")]
    private static partial Regex SampleLine();

    [GeneratedRegex("""(?<key>[a-zA-Z_][a-zA-Z0-9_]*)="(?<value>(?:[^"\\]|\\.)*)",?""")]
    private static partial Regex Label();

    private sealed record Sample(string Name, Dictionary<string, string> Labels, double Value);

    private static List<Sample> Parse(string text)
    {
        var samples = new List<Sample>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith('#'))
            {
                Assert.Matches("""^# (TYPE \S+ (counter|gauge|histogram|summary|untyped)|HELP \S+ .*|UNIT \S+ \S*|EOF)$""", line);
                continue;
            }
            var match = SampleLine().Match(line);
            Assert.True(match.Success, $"not a Prometheus sample line: {line}");
            var labels = Label().Matches(match.Groups["labels"].Value).ToDictionary(m => m.Groups["key"].Value, m => m.Groups["value"].Value);
            samples.Add(new Sample(match.Groups["name"].Value, labels, double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture)));
        }
        return samples;
    }

    private static double? Value(List<Sample> samples, string name, string topic, string? channel = null) =>
        samples.FirstOrDefault(s => s.Name == name && s.Labels.GetValueOrDefault("nsq_topic") == topic &&
            (channel is null ? !s.Labels.ContainsKey("nsq_channel") : s.Labels.GetValueOrDefault("nsq_channel") == channel))?.Value;

    [Fact]
    public async Task Metrics_show_the_topic_and_channel_counters_of_stats_in_prometheus_text_format()
    {
        await using var silo = await SiloProcess.StartAsync(FastSampling);
        using var http = new NsqdHttp(silo);
        using var client = new HttpClient();
        await http.CreateTopicAsync("metrics_t");
        await http.CreateChannelAsync("metrics_t", "c");
        await http.MpubAsync("metrics_t", [.. Enumerable.Range(0, 7).Select(i => $"body-{i}")]);
        await using (var consumer = await V2Client.ConnectAsync(silo.TcpPort))
        {
            await consumer.Sub("metrics_t", "c");
            await consumer.ExpectOkAsync("SUB");
            await consumer.Rdy(2);

            List<Sample> samples = [];
            await BoundedWait.UntilAsync("metrics catch up with /stats", "two in flight, one client, 7 published", TimeSpan.FromSeconds(60), async () =>
            {
                samples = Parse(await client.GetStringAsync($"http://{silo.HttpAddress}/metrics"));
                var inFlight = Value(samples, "nsq_channel_in_flight", "metrics_t", "c");
                var clients = Value(samples, "nsq_channel_clients", "metrics_t", "c");
                var published = Value(samples, "nsq_topic_messages_total", "metrics_t");
                return (inFlight == 2 && clients == 1 && published == 7, $"in flight {inFlight}, clients {clients}, published {published}");
            });

            var stats = await http.StatsAsync("metrics_t");
            var topic = stats.Topic("metrics_t")!.Value;
            var channel = stats.Channel("metrics_t", "c")!.Value;
            Assert.Equal(topic.GetProperty("message_count").GetInt64(), Value(samples, "nsq_topic_messages_total", "metrics_t"));
            Assert.Equal(topic.GetProperty("message_bytes").GetInt64(), Value(samples, "nsq_topic_message_size_bytes_total", "metrics_t"));
            Assert.Equal(topic.GetProperty("depth").GetInt64(), Value(samples, "nsq_topic_depth", "metrics_t"));
            Assert.Equal(channel.GetProperty("message_count").GetInt64(), Value(samples, "nsq_channel_messages_total", "metrics_t", "c"));
            Assert.Equal(channel.GetProperty("depth").GetInt64(), Value(samples, "nsq_channel_depth", "metrics_t", "c"));
            Assert.Equal(channel.GetProperty("in_flight_count").GetInt64(), Value(samples, "nsq_channel_in_flight", "metrics_t", "c"));
            Assert.Equal(channel.GetProperty("deferred_count").GetInt64(), Value(samples, "nsq_channel_deferred", "metrics_t", "c"));
            Assert.Equal(channel.GetProperty("requeue_count").GetInt64(), Value(samples, "nsq_channel_requeues_total", "metrics_t", "c"));
            Assert.Equal(channel.GetProperty("timeout_count").GetInt64(), Value(samples, "nsq_channel_timeouts_total", "metrics_t", "c"));
            Assert.Equal(channel.GetProperty("client_count").GetInt64(), Value(samples, "nsq_channel_clients", "metrics_t", "c"));
            Assert.Equal(0, Value(samples, "nsq_channel_paused", "metrics_t", "c"));

            // Orleans', the runtime's and Kestrel's meters are exported beside the broker's; per-request HTTP figures
            // only when asked for (Metrics:HttpRequests, below).
            Assert.Contains(samples, s => s.Name.StartsWith("orleans_", StringComparison.Ordinal));
            Assert.Contains(samples, s => s.Name.StartsWith("dotnet_gc_", StringComparison.Ordinal));
            Assert.Contains(samples, s => s.Name == "kestrel_active_connections");
            Assert.DoesNotContain(samples, s => s.Name.StartsWith("http_server_request_duration_seconds", StringComparison.Ordinal));
            output.WriteLine(string.Join(Environment.NewLine, samples.Where(s => s.Name.StartsWith("nsq_", StringComparison.Ordinal)).Select(s => $"{s.Name} {string.Join(",", s.Labels)} {s.Value}")));
        }
    }

    [Fact]
    public async Task Topics_past_the_cardinality_limit_are_summed_into_the_overflow_point_not_dropped()
    {
        await using var silo = await SiloProcess.StartAsync(new Dictionary<string, string>(FastSampling) { ["Metrics__CardinalityLimit"] = "3" });
        using var http = new NsqdHttp(silo);
        using var client = new HttpClient();
        for (var i = 1; i <= 5; i++) await http.MpubAsync($"cardinality_{i}", [.. Enumerable.Range(0, i).Select(n => $"body-{n}")]);

        await BoundedWait.UntilAsync("the five topics' 15 messages in nsq_topic_messages_total", "15 counted", TimeSpan.FromSeconds(60), async () =>
        {
            var published = Parse(await client.GetStringAsync($"http://{silo.HttpAddress}/metrics"))
                .Where(s => s.Name == "nsq_topic_messages_total").ToList();
            var named = published.Where(s => s.Labels.ContainsKey("nsq_topic")).Select(s => s.Labels["nsq_topic"]).ToList();
            var overflow = published.Where(s => s.Labels.GetValueOrDefault("otel_metric_overflow") == "true").Sum(s => s.Value);
            var total = published.Sum(s => s.Value);
            return (total == 15 && named.Count < 5 && overflow > 0,
                $"topics {string.Join(",", named)}, overflow {overflow}, total {total}");
        });
    }

    [Fact]
    public async Task Http_requests_adds_asp_net_cores_per_request_instrumentation()
    {
        await using var silo = await SiloProcess.StartAsync(new Dictionary<string, string> { ["Metrics__HttpRequests"] = "true" });
        using var client = new HttpClient();
        Assert.Equal("OK", await client.GetStringAsync($"http://{silo.HttpAddress}/ping"));

        List<Sample> samples = [];
        await BoundedWait.UntilAsync("per-request HTTP metrics", "http_server_request_duration_seconds_count", TimeSpan.FromSeconds(30), async () =>
        {
            samples = Parse(await client.GetStringAsync($"http://{silo.HttpAddress}/metrics"));
            var count = samples.Where(s => s.Name == "http_server_request_duration_seconds_count").Sum(s => s.Value);
            return (count >= 1, $"{count} requests counted");
        });
    }

    [Fact]
    public async Task Otlp_exports_the_brokers_meter_to_the_endpoint_of_the_standard_variables()
    {
        // A stand-in OTLP/HTTP collector: takes each export and keeps its protobuf body.
        var (collector, port) = StartCollector();
        using var _ = collector;
        await using var silo = await SiloProcess.StartAsync(new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = $"http://127.0.0.1:{port}",
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
            ["Metrics__SampleInterval"] = "00:00:00.200",
        }, "--prometheus-metrics=false");
        using var http = new NsqdHttp(silo);
        await http.CreateTopicAsync("otlp_t");

        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var paths = new List<string>();
        while (true)
        {
            HttpListenerContext export;
            try
            {
                export = await collector.GetContextAsync().WaitAsync(bound.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"no OTLP export named topic otlp_t within 60 s; requests: {string.Join(", ", paths)}{Environment.NewLine}{silo.OutputSince(0)}");
                return;
            }
            paths.Add(export.Request.Url!.AbsolutePath);
            using var body = new MemoryStream();
            await export.Request.InputStream.CopyToAsync(body);
            export.Response.StatusCode = 200;
            export.Response.Close();
            // Protobuf keeps strings as UTF-8 bytes: the instrument's name and the topic's tag value are readable.
            var text = System.Text.Encoding.UTF8.GetString(body.ToArray());
            if (text.Contains("nsq.topic.messages", StringComparison.Ordinal) && text.Contains("otlp_t", StringComparison.Ordinal)) break;
        }
        Assert.All(paths, p => Assert.Equal("/v1/metrics", p));
    }

    [Fact]
    public async Task Prometheus_metrics_false_leaves_metrics_to_nsqds_not_found()
    {
        await using var silo = await SiloProcess.StartAsync("--prometheus-metrics=false");
        using var client = new HttpClient();

        var response = await client.GetAsync($"http://{silo.HttpAddress}/metrics");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("""{"message":"NOT_FOUND"}""", await response.Content.ReadAsStringAsync());
    }

    /// <summary>An HTTP listener on a free port; a port taken between the pick and the bind is picked again (bounded).</summary>
    private static (HttpListener Listener, int Port) StartCollector()
    {
        for (var attempt = 1; ; attempt++)
        {
            var listener = new HttpListener();
            var port = FreePorts.Take(1)[0];
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                listener.Start();
                return (listener, port);
            }
            catch (HttpListenerException) when (attempt < 10)
            {
                listener.Close();
            }
        }
    }
}
