using System.Text.Json;
using OrleansNsq.Gateway.Connections;

namespace OrleansNsq.Gateway.Tests.Http;

/// <summary>nsqd /stats (nsqd 1.3.0: nsqd/http.go doStats, nsqd/stats.go).</summary>
[Collection(HttpCollection.Name)]
public sealed class StatsTests(HttpApiFixture fixture)
{
    [Fact]
    public async Task Info_has_the_ten_keys_in_nsqd_order()
    {
        var reply = await fixture.Nsqd.Get("/info");
        Assert.Equal(200, reply.Code);
        var port = fixture.Nsqd.BaseAddress!.Port;
        Assert.Equal(
            $$"""{"version":"1.3.0","broadcast_address":"test-broadcast","hostname":"test-host","http_port":{{port}},"tcp_port":4150,"start_time":1700000000,"max_heartbeat_interval":60000000000,"max_output_buffer_size":65536,"max_output_buffer_timeout":30000000000,"max_deflate_level":6}""",
            reply.Body);
    }

    [Fact]
    public async Task Stats_json_has_the_top_level_keys_in_nsqd_order()
    {
        var json = (await fixture.Nsqd.Get("/stats?format=json")).Json;
        Assert.Equal(["version", "health", "start_time", "topics", "memory", "producers"], Http.Keys(json));
        Assert.Equal("1.3.0", json.GetProperty("version").GetString());
        Assert.Equal("OK", json.GetProperty("health").GetString());
        Assert.Equal(1700000000, json.GetProperty("start_time").GetInt64());
    }

    [Fact]
    public async Task Stats_memory_has_nine_keys_and_include_mem_false_omits_it()
    {
        var json = (await fixture.Nsqd.Get("/stats?format=json")).Json;
        Assert.Equal(
            ["heap_objects", "heap_idle_bytes", "heap_in_use_bytes", "heap_released_bytes", "gc_pause_usec_100",
             "gc_pause_usec_99", "gc_pause_usec_95", "next_gc_bytes", "gc_total_runs"],
            Http.Keys(json.GetProperty("memory")));
        var without = (await fixture.Nsqd.Get("/stats?format=json&include_mem=false")).Json;
        Assert.Equal(["version", "health", "start_time", "topics", "producers"], Http.Keys(without));
    }

    [Fact]
    public async Task Stats_topic_and_channel_have_their_keys_in_nsqd_order()
    {
        var topic = fixture.NewTopic("stats-keys");
        (await fixture.Nsqd.Post($"/topic/create?topic={topic}")).Is(200, "");
        (await fixture.Nsqd.Post($"/channel/create?topic={topic}&channel=c")).Is(200, "");
        (await fixture.Nsqd.Post($"/pub?topic={topic}", "hello")).Is(200, "OK");

        var body = (await fixture.Nsqd.Get($"/stats?format=json&topic={topic}&include_mem=false")).Body;
        Assert.Equal(
            $$$"""{"version":"1.3.0","health":"OK","start_time":1700000000,"topics":[{"topic_name":"{{{topic}}}","channels":[{"channel_name":"c","depth":1,"backend_depth":0,"in_flight_count":0,"deferred_count":0,"message_count":1,"requeue_count":0,"timeout_count":0,"client_count":0,"clients":[],"paused":false,"e2e_processing_latency":{"count":0,"percentiles":null}}],"depth":0,"backend_depth":0,"message_count":1,"message_bytes":5,"paused":false,"e2e_processing_latency":{"count":0,"percentiles":null}}],"producers":null}""",
            body);
    }

    [Fact]
    public async Task Stats_of_unknown_topic_has_null_topics_and_null_producers()
    {
        var body = (await fixture.Nsqd.Get($"/stats?format=json&include_mem=false&topic={fixture.NewTopic("stats-unknown")}")).Body;
        Assert.Equal("""{"version":"1.3.0","health":"OK","start_time":1700000000,"topics":null,"producers":null}""", body);
    }

    [Fact]
    public async Task Stats_of_known_topic_and_unknown_channel_has_empty_topics()
    {
        var topic = fixture.NewTopic("stats-nochan");
        (await fixture.Nsqd.Post($"/topic/create?topic={topic}")).Is(200, "");
        var json = (await fixture.Nsqd.Get($"/stats?format=json&topic={topic}&channel=nope")).Json;
        Assert.Equal("[]", json.GetProperty("topics").GetRawText());
    }

    [Fact]
    public async Task Stats_channel_filter_keeps_only_topics_with_that_channel()
    {
        var withChannel = fixture.NewTopic("stats-with");
        var without = fixture.NewTopic("stats-without");
        var channel = "only-" + Guid.NewGuid().ToString("N");
        (await fixture.Nsqd.Post($"/topic/create?topic={withChannel}")).Is(200, "");
        (await fixture.Nsqd.Post($"/channel/create?topic={withChannel}&channel={channel}")).Is(200, "");
        (await fixture.Nsqd.Post($"/channel/create?topic={withChannel}&channel=other")).Is(200, "");
        (await fixture.Nsqd.Post($"/topic/create?topic={without}")).Is(200, "");

        var topics = (await fixture.Nsqd.Get($"/stats?format=json&channel={channel}")).Json.GetProperty("topics");
        var only = Assert.Single(topics.EnumerateArray());
        Assert.Equal(withChannel, only.GetProperty("topic_name").GetString());
        Assert.Equal(channel, Assert.Single(only.GetProperty("channels").EnumerateArray()).GetProperty("channel_name").GetString());
    }

    [Fact]
    public async Task Stats_topics_and_channels_are_sorted_by_name()
    {
        var prefix = fixture.NewTopic("sort");
        foreach (var suffix in new[] { "b", "a", "c" })
        {
            (await fixture.Nsqd.Post($"/topic/create?topic={prefix}{suffix}")).Is(200, "");
            (await fixture.Nsqd.Post($"/channel/create?topic={prefix}b&channel={suffix}")).Is(200, "");
        }
        var json = (await fixture.Nsqd.Get("/stats?format=json&include_mem=false")).Json;
        var names = json.GetProperty("topics").EnumerateArray().Select(t => t.GetProperty("topic_name").GetString()!).ToArray();
        Assert.Equal(names.Order(StringComparer.Ordinal), names);
        Assert.Contains(prefix + "a", names);
        var b = json.GetProperty("topics").EnumerateArray().Single(t => t.GetProperty("topic_name").GetString() == prefix + "b");
        Assert.Equal(["a", "b", "c"], b.GetProperty("channels").EnumerateArray().Select(c => c.GetProperty("channel_name").GetString()));
    }

    [Fact]
    public async Task Stats_lists_tcp_consumers_in_their_channel_and_publishers_as_producers()
    {
        var topic = fixture.NewTopic("stats-clients");
        (await fixture.Nsqd.Post($"/topic/create?topic={topic}")).Is(200, "");
        (await fixture.Nsqd.Post($"/channel/create?topic={topic}&channel=c")).Is(200, "");
        fixture.Clients.Set(
            new ClientSnapshot
            {
                ClientId = "consumer", Hostname = "h1", RemoteAddress = "10.0.0.1:5000", State = 3, ReadyCount = 10,
                InFlightCount = 2, MessageCount = 7, FinishCount = 5, RequeueCount = 1, ConnectTimestamp = 1700000100,
                SampleRate = 0, Deflate = false, Snappy = true, UserAgent = "go-nsq/1.1.0", Topic = topic, Channel = "c",
            },
            new ClientSnapshot
            {
                ClientId = "producer", Hostname = "h2", RemoteAddress = "10.0.0.2:6000", ConnectTimestamp = 1700000200,
                UserAgent = "nsqjs", PubCounts = [new(topic, 3), new("other", 9)],
            });
        try
        {
            var body = (await fixture.Nsqd.Get($"/stats?format=json&include_mem=false&topic={topic}")).Body;
            const string consumer = """{"client_id":"consumer","hostname":"h1","version":"V2","remote_address":"10.0.0.1:5000","state":3,"ready_count":10,"in_flight_count":2,"message_count":7,"finish_count":5,"requeue_count":1,"connect_ts":1700000100,"sample_rate":0,"deflate":false,"snappy":true,"user_agent":"go-nsq/1.1.0","tls":false,"tls_cipher_suite":"","tls_version":"","tls_negotiated_protocol":"","tls_negotiated_protocol_is_mutual":false}""";
            var producer = $$"""{"client_id":"producer","hostname":"h2","version":"V2","remote_address":"10.0.0.2:6000","state":0,"ready_count":0,"in_flight_count":0,"message_count":0,"finish_count":0,"requeue_count":0,"connect_ts":1700000200,"sample_rate":0,"deflate":false,"snappy":false,"user_agent":"nsqjs","pub_counts":[{"topic":"{{topic}}","count":3}],"tls":false,"tls_cipher_suite":"","tls_version":"","tls_negotiated_protocol":"","tls_negotiated_protocol_is_mutual":false}""";
            Assert.Contains("\"clients\":[" + consumer + "]", body);
            Assert.EndsWith("\"producers\":[" + producer + "]}", body);

            var withoutClients = (await fixture.Nsqd.Get($"/stats?format=json&include_mem=false&topic={topic}&include_clients=false")).Json;
            Assert.Equal(JsonValueKind.Null, withoutClients.GetProperty("producers").ValueKind);
            var channel = Assert.Single(Assert.Single(withoutClients.GetProperty("topics").EnumerateArray()).GetProperty("channels").EnumerateArray());
            Assert.Equal(JsonValueKind.Null, channel.GetProperty("clients").ValueKind);

            var text = (await fixture.Nsqd.Get($"/stats?topic={topic}")).Body;
            Assert.Contains($"[V2 {"h1:5000 go-nsq/1.1.0",-21}] state: 3 inflt: 2    rdy: 10   fin: 5        re-q: 1        msgs: 7        connected: ", text);
            Assert.Contains($"\nProducers:\n   [V2 {"h2:6000 nsqjs",-21}] msgs: 3        topics: {topic}=3 connected: ", text);
        }
        finally
        {
            fixture.Clients.Set();
        }
    }

    [Fact]
    public async Task Stats_producers_is_null_not_empty_when_nobody_published_over_tcp()
    {
        var json = (await fixture.Nsqd.Get("/stats?format=json&include_mem=false")).Json;
        Assert.Equal(JsonValueKind.Null, json.GetProperty("producers").ValueKind);
    }

    [Fact]
    public async Task Stats_without_format_json_is_the_text_format()
    {
        var topic = fixture.NewTopic("stats-text");
        (await fixture.Nsqd.Post($"/topic/create?topic={topic}")).Is(200, "");
        (await fixture.Nsqd.Post($"/channel/create?topic={topic}&channel=c")).Is(200, "");
        (await fixture.Nsqd.Post($"/channel/pause?topic={topic}&channel=c")).Is(200, "");
        var reply = await fixture.Nsqd.Get($"/stats?topic={topic}&format=text&include_mem=false");
        Assert.Equal(200, reply.Code);
        Assert.Equal("text/plain; charset=utf-8", reply.ContentType);
        Assert.Equal("nsq; version=1.0", reply.NsqContentType);
        var lines = reply.Body.Split('\n');
        Assert.StartsWith("nsqd v1.3.0 (built w/", lines[0]);
        Assert.Equal("start_time 2023-11-14T22:13:20Z", lines[1]);
        Assert.StartsWith("uptime ", lines[2]);
        Assert.Equal(["", "Health: OK", "", "Topics:"], lines[3..7]);
        Assert.Equal($"   [{topic,-15}] depth: 0     be-depth: 0     msgs: 0        e2e%: ", lines[7]);
        Assert.Equal($"   *P [{"c",-25}] depth: 0     be-depth: 0     inflt: 0    def: 0    re-q: 0     timeout: 0     msgs: 0        e2e%: ", lines[8]);
        Assert.Equal(["", "Producers: None", ""], lines[9..]);
    }

    [Fact]
    public async Task Stats_text_of_no_topics_says_None()
    {
        var body = (await fixture.Nsqd.Get($"/stats?topic={fixture.NewTopic("stats-none")}")).Body;
        Assert.Contains("\nTopics: None\n", body);
        Assert.Contains("\nMemory:\n   heap_objects             \t", body);
    }
}
