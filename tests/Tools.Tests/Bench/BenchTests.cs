using System.Text.Json;
using System.Text.RegularExpressions;
using OrleansNsq.Tools.Tests.Infrastructure;

namespace OrleansNsq.Tools.Tests.Bench;

/// <summary>bench write/read/pubsub against a real Silo process, over the wire protocol. Smoke tests: counts, not speed.</summary>
public sealed class BenchTests(SiloFixture fixture, ITestOutputHelper output) : SiloTest(fixture, output), IClassFixture<SiloFixture>
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Bench_write_then_read_with_messages_move_exactly_N()
    {
        var (topic, channel) = await CreateAsync();
        const int n = 5123; // not a multiple of --batch-size 200: the last MPUB is cut to 123

        var write = await BenchAsync("write", topic, channel, "--messages", $"{n}", "--json");
        Assert.Equal(n, write.GetProperty("messages").GetInt64());
        Assert.Equal(n, (await Http.StatsAsync(topic)).ChannelCounter(topic, channel, "depth"));

        var read = await BenchAsync("read", topic, channel, "--messages", $"{n}", "--json");
        Assert.Equal(n, read.GetProperty("messages").GetInt64());
        await WaitForChannelAsync(topic, channel, depth: 0, messageCount: n);
    }

    [Fact]
    public async Task Bench_read_with_messages_stops_at_N_and_leaves_the_rest_in_the_channel()
    {
        var (topic, channel) = await CreateAsync();
        await BenchAsync("write", topic, channel, "--messages", "1000", "--json");

        var read = await BenchAsync("read", topic, channel, "--messages", "400", "--rdy", "300", "--json");

        Assert.Equal(400, read.GetProperty("messages").GetInt64());
        // Messages delivered past N were given back (REQ, then CLS): none waits out the message timeout in flight.
        await WaitForChannelAsync(topic, channel, depth: 600, messageCount: 1000);
    }

    [Fact]
    public async Task Bench_pubsub_json_reports_latency_percentiles_and_consumes_what_it_published()
    {
        var (topic, channel) = await CreateAsync();

        var result = await BenchAsync("pubsub", topic, channel, "--runfor", "2s", "--rate", "5000", "--batch-size", "50", "--json");

        var published = result.GetProperty("published").GetInt64();
        Assert.InRange(published, 5000, 11000); // 2 s at 5,000 msgs/s, paced
        Assert.Equal(published, result.GetProperty("consumed").GetInt64());
        Assert.True(result.GetProperty("pub_msgs_per_s").GetDouble() > 0);
        Assert.True(result.GetProperty("sub_msgs_per_s").GetDouble() > 0);
        AssertLatency(result.GetProperty("latency_us"), count: published);
    }

    [Fact]
    public async Task Bench_pubsub_with_messages_publishes_and_consumes_exactly_N_ignoring_older_messages()
    {
        var (topic, channel) = await CreateAsync();
        await BenchAsync("write", topic, channel, "--messages", "300", "--json"); // left in the channel: not this run's

        var result = await BenchAsync("pubsub", topic, channel, "--messages", "2345", "--json");

        Assert.Equal(2345, result.GetProperty("published").GetInt64());
        Assert.Equal(2345, result.GetProperty("consumed").GetInt64());
        Assert.Equal(2345, result.GetProperty("latency_us").GetProperty("count").GetInt64());
        Assert.Equal(300, result.GetProperty("foreign").GetInt64());
    }

    [Fact]
    public async Task Bench_mixed_with_messages_writes_and_reads_exactly_N_at_once()
    {
        var (topic, channel) = await CreateAsync();
        const int n = 5123;

        var result = await BenchAsync("mixed", topic, channel, "--messages", $"{n}", "--json");

        Assert.Equal(n, result.GetProperty("written").GetInt64());
        Assert.Equal(n, result.GetProperty("read").GetInt64());
        Assert.True(result.GetProperty("write_msgs_per_s").GetDouble() > 0);
        Assert.True(result.GetProperty("read_msgs_per_s").GetDouble() > 0);
        await WaitForChannelAsync(topic, channel, depth: 0, messageCount: n);
    }

    [Fact]
    public async Task Bench_mixed_with_runfor_reads_no_more_than_it_wrote_and_prints_both_lines()
    {
        var (topic, channel) = await CreateAsync();

        using var tool = await ToolProcess.RunAsync(RunTimeout, "bench", "mixed", "--nsqd-tcp-address", Silo.TcpAddress, "--topic", topic, "--channel", channel, "--runfor", "1s");

        Assert.True(tool.ExitCode == 0, tool.Describe());
        var written = long.Parse(Assert.Single(Regex.Matches(tool.Stdout, @"^\[bench write\] messages: (\d+) - duration: [0-9.]+s - [0-9.]+mb/s - [0-9.]+ops/s", RegexOptions.Multiline)).Groups[1].Value);
        var read = long.Parse(Assert.Single(Regex.Matches(tool.Stdout, @"^\[bench read\] messages: (\d+) - duration: [0-9.]+s - [0-9.]+mb/s - [0-9.]+ops/s", RegexOptions.Multiline)).Groups[1].Value);
        Assert.True(0 < read && read <= written, $"written {written}, read {read}");
        await WaitForChannelMessagesAsync(topic, channel, written);
    }

    [Fact]
    public async Task Bench_syncpub_publishes_N_one_at_a_time_after_its_warm_up_and_reports_the_round_trip()
    {
        var (topic, channel) = await CreateAsync();

        var result = await BenchAsync("syncpub", topic, channel, "--messages", "500", "--json");

        Assert.Equal(500, result.GetProperty("messages").GetInt64());
        Assert.Equal(1, result.GetProperty("concurrency").GetInt32());
        Assert.True(result.GetProperty("msgs_per_s").GetDouble() > 0);
        AssertLatency(result.GetProperty("round_trip_us"), count: 500);
        // The warm-up PUBs reach the topic too; they are not counted.
        await WaitForChannelMessagesAsync(topic, channel, 500 + 200);
    }

    [Fact]
    public async Task Bench_syncpub_text_output_gives_rate_and_round_trip_percentiles()
    {
        var (topic, channel) = await CreateAsync();
        using var tool = await ToolProcess.RunAsync(RunTimeout, "bench", "syncpub", "--nsqd-tcp-address", Silo.TcpAddress, "--topic", topic, "--messages", "50");
        Assert.True(tool.ExitCode == 0, tool.Describe());
        Assert.Matches(@"^\[bench syncpub\] messages: 50 - duration: [0-9.]+s - [0-9.]+ops/s - size: 200 - connections: 1\r?\n\[bench syncpub\] round trip: p50 [0-9.]+us - p90 [0-9.]+us - p99 [0-9.]+us - max [0-9.]+us", tool.Stdout);
    }

    [Fact]
    public async Task Bench_rdy1_fills_N_then_finishes_exactly_N_one_at_a_time_and_reports_the_gap_after_each_fin()
    {
        var (topic, channel) = await CreateAsync();
        const int n = 321;

        var result = await BenchAsync("rdy1", topic, channel, "--messages", $"{n}", "--json");

        Assert.Equal(n, result.GetProperty("messages").GetInt64());
        Assert.Equal(1, result.GetProperty("concurrency").GetInt32());
        Assert.True(result.GetProperty("msgs_per_s").GetDouble() > 0);
        AssertLatency(result.GetProperty("fin_to_next_message_us"), count: n - 1); // no FIN precedes the first message
        await WaitForChannelAsync(topic, channel, depth: 0, messageCount: n);
    }

    [Fact]
    public async Task Bench_httppub_posts_to_pub_from_keep_alive_connections_and_every_request_reaches_the_topic()
    {
        var (topic, channel) = await CreateAsync();

        var result = await BenchAsync("httppub", topic, channel, "--nsqd-http-address", Silo.HttpAddress, "--runfor", "1s", "--concurrency", "4", "--json");

        var requests = result.GetProperty("requests").GetInt64();
        Assert.True(requests > 0, "no request counted");
        Assert.Equal(0, result.GetProperty("non_200").GetInt64());
        Assert.Equal(4, result.GetProperty("concurrency").GetInt32());
        Assert.True(result.GetProperty("req_per_s").GetDouble() > 0);
        AssertLatency(result.GetProperty("latency_us"), count: requests);
        await WaitForChannelMessagesAsync(topic, channel, requests + 4 * 20); // and 20 warm-up requests per connection
    }

    [Fact]
    public async Task Bench_httppub_with_messages_sends_exactly_N_counted_requests_and_counts_the_non_200_answers()
    {
        // Every third request is refused; the 3 × 20 warm-up requests come first, so 30 of the 90 counted ones are.
        await using var endpoint = await RecordingHttpEndpoint.StartAsync((_, number) => Task.FromResult(number % 3 == 0 ? 503 : 200));
        var topic = Unique("bench");

        using var tool = await ToolProcess.RunAsync(RunTimeout, "bench", "httppub", "--nsqd-http-address", new Uri(endpoint.Address).Authority,
            "--topic", topic, "--messages", "90", "--concurrency", "3", "--size", "123", "--json");

        Assert.True(tool.ExitCode == 0, tool.Describe());
        using var doc = JsonDocument.Parse(tool.Stdout);
        var result = doc.RootElement;
        Assert.Equal(90, result.GetProperty("requests").GetInt64());
        Assert.Equal(30, result.GetProperty("non_200").GetInt64());
        AssertLatency(result.GetProperty("latency_us"), count: 90);
        var requests = endpoint.Requests;
        Assert.Equal(60 + 90, requests.Count);
        Assert.All(requests, r =>
        {
            Assert.Equal("POST", r.Method);
            Assert.Equal($"/pub?topic={topic}", r.PathAndQuery);
            Assert.Equal(123, r.Body.Length);
        });
    }

    [Fact]
    public async Task Bench_write_text_output_is_bench_writer_line()
    {
        var (topic, channel) = await CreateAsync();
        using var tool = await ToolProcess.RunAsync(RunTimeout, "bench", "write", "--nsqd-tcp-address", Silo.TcpAddress, "--topic", topic, "--channel", channel, "--messages", "10");
        Assert.True(tool.ExitCode == 0, tool.Describe());
        Assert.Matches(@"^\[bench write\] messages: 10 - duration: [0-9.]+s - [0-9.]+mb/s - [0-9.]+ops/s - [0-9.]+us/op", tool.Stdout);
    }

    /// <summary>A latency block of the JSON report: <paramref name="count"/> samples, all positive, percentiles in order.</summary>
    private static void AssertLatency(JsonElement latency, long count)
    {
        Assert.Equal(count, latency.GetProperty("count").GetInt64());
        var p50 = latency.GetProperty("p50").GetDouble();
        var p90 = latency.GetProperty("p90").GetDouble();
        var p99 = latency.GetProperty("p99").GetDouble();
        var max = latency.GetProperty("max").GetDouble();
        Assert.True(0 < p50 && p50 <= p90 && p90 <= p99 && p99 <= max, $"p50 {p50} p90 {p90} p99 {p99} max {max}");
    }

    private async Task<(string Topic, string Channel)> CreateAsync()
    {
        var topic = Unique("bench");
        await Http.CreateTopicAsync(topic);
        await Http.CreateChannelAsync(topic, "ch");
        return (topic, "ch");
    }

    private async Task<JsonElement> BenchAsync(string kind, string topic, string channel, params string[] args)
    {
        using var tool = await ToolProcess.RunAsync(RunTimeout,
            ["bench", kind, "--nsqd-tcp-address", Silo.TcpAddress, "--topic", topic, "--channel", channel, .. args]);
        Output.WriteLine(tool.Describe());
        Assert.True(tool.ExitCode == 0, $"exit code {tool.ExitCode}{Environment.NewLine}{tool.Describe()}");
        using var doc = JsonDocument.Parse(tool.Stdout);
        return doc.RootElement.Clone();
    }

    private async Task WaitForChannelAsync(string topic, string channel, long depth, long messageCount) =>
        await BoundedWait.UntilAsync(
            phase: "channel settles",
            expected: $"{topic}/{channel} depth={depth} in_flight_count=0 message_count={messageCount}",
            timeout: TimeSpan.FromSeconds(15),
            probe: async () =>
            {
                var stats = await Http.StatsAsync(topic);
                var done = stats.ChannelCounter(topic, channel, "depth") == depth
                           && stats.ChannelCounter(topic, channel, "in_flight_count") == 0
                           && stats.ChannelCounter(topic, channel, "message_count") == messageCount;
                return (done, stats.Describe(topic, channel));
            });

    private async Task WaitForChannelMessagesAsync(string topic, string channel, long messageCount) =>
        await BoundedWait.UntilAsync(
            phase: "every message published reaches the channel",
            expected: $"{topic}/{channel} message_count={messageCount}",
            timeout: TimeSpan.FromSeconds(15),
            probe: async () =>
            {
                var stats = await Http.StatsAsync(topic);
                return (stats.ChannelCounter(topic, channel, "message_count") == messageCount, stats.Describe(topic, channel));
            });
}
