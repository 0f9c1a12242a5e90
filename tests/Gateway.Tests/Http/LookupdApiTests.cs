using System.Text.Json;

namespace OrleansNsq.Gateway.Tests.Http;

/// <summary>nsqlookupd's HTTP API (nsqlookupd 1.3.0: nsqlookupd/http.go). The only producer is this node.</summary>
[Collection(HttpCollection.Name)]
public sealed class LookupdApiTests(HttpApiFixture fixture)
{
    private string Peer =>
        $$"""{"remote_address":"test-broadcast:4150","hostname":"test-host","broadcast_address":"test-broadcast","tcp_port":4150,"http_port":{{fixture.Nsqd.BaseAddress!.Port}},"version":"1.3.0"}""";

    [Fact]
    public async Task Lookup_of_unknown_topic_is_404_TOPIC_NOT_FOUND()
    {
        (await fixture.Lookupd.Get($"/lookup?topic={fixture.NewTopic("lookup-unknown")}")).Is(404, """{"message":"TOPIC_NOT_FOUND"}""");
    }

    [Fact]
    public async Task Lookup_without_topic_is_400_MISSING_ARG_TOPIC()
    {
        (await fixture.Lookupd.Get("/lookup")).Is(400, """{"message":"MISSING_ARG_TOPIC"}""");
    }

    [Fact]
    public async Task Lookup_of_a_published_topic_lists_its_channels_and_this_node_as_producer()
    {
        var topic = fixture.NewTopic("lookup");
        (await fixture.Nsqd.Post($"/pub?topic={topic}", "x")).Is(200, "OK");
        (await fixture.Nsqd.Post($"/channel/create?topic={topic}&channel=c")).Is(200, "");
        var reply = await fixture.Lookupd.Get($"/lookup?topic={topic}");
        reply.Is(200, $$"""{"channels":["c"],"producers":[{{Peer}}]}""");
        Assert.Equal("application/json; charset=utf-8", reply.ContentType);
        Assert.Equal("nsq; version=1.0", reply.NsqContentType);
    }

    [Fact]
    public async Task Lookup_of_a_topic_only_lookupd_knows_has_no_producers()
    {
        var topic = fixture.NewTopic("lookup-registered");
        (await fixture.Lookupd.Post($"/channel/create?topic={topic}&channel=c")).Is(200, "");
        (await fixture.Lookupd.Get($"/lookup?topic={topic}")).Is(200, """{"channels":["c"],"producers":[]}""");
    }

    [Fact]
    public async Task Topics_lists_every_registered_topic()
    {
        var produced = fixture.NewTopic("topics-pub");
        var registered = fixture.NewTopic("topics-reg");
        (await fixture.Nsqd.Post($"/topic/create?topic={produced}")).Is(200, "");
        (await fixture.Lookupd.Post($"/topic/create?topic={registered}")).Is(200, "");
        var json = (await fixture.Lookupd.Get("/topics")).Json;
        Assert.Equal(["topics"], Http.Keys(json));
        var topics = json.GetProperty("topics").EnumerateArray().Select(t => t.GetString()).ToArray();
        Assert.Contains(produced, topics);
        Assert.Contains(registered, topics);
    }

    [Fact]
    public async Task Channels_of_unknown_topic_is_an_empty_array()
    {
        (await fixture.Lookupd.Get($"/channels?topic={fixture.NewTopic("channels-unknown")}")).Is(200, """{"channels":[]}""");
        (await fixture.Lookupd.Get("/channels")).Is(400, """{"message":"MISSING_ARG_TOPIC"}""");
    }

    [Fact]
    public async Task Channels_lists_the_topics_channels()
    {
        var topic = fixture.NewTopic("channels");
        (await fixture.Lookupd.Post($"/channel/create?topic={topic}&channel=one")).Is(200, "");
        (await fixture.Lookupd.Get($"/channels?topic={topic}")).Is(200, """{"channels":["one"]}""");
    }

    [Fact]
    public async Task Nodes_lists_this_node_with_tombstones_and_topics_of_equal_length()
    {
        var topic = fixture.NewTopic("nodes");
        (await fixture.Nsqd.Post($"/topic/create?topic={topic}")).Is(200, "");
        var json = (await fixture.Lookupd.Get("/nodes")).Json;
        Assert.Equal(["producers"], Http.Keys(json));
        var node = Assert.Single(json.GetProperty("producers").EnumerateArray());
        Assert.Equal(
            ["remote_address", "hostname", "broadcast_address", "tcp_port", "http_port", "version", "tombstones", "topics"],
            Http.Keys(node));
        var topics = node.GetProperty("topics").EnumerateArray().Select(t => t.GetString()).ToList();
        Assert.Equal(topics.Count, node.GetProperty("tombstones").GetArrayLength());
        Assert.False(node.GetProperty("tombstones")[topics.IndexOf(topic)].GetBoolean());
    }

    [Fact]
    public async Task Tombstone_hides_the_producer_from_lookup_and_marks_it_in_nodes()
    {
        var topic = fixture.NewTopic("tombstone");
        (await fixture.Nsqd.Post($"/pub?topic={topic}", "x")).Is(200, "OK");
        var node = $"test-broadcast:{fixture.Nsqd.BaseAddress!.Port}";
        (await fixture.Lookupd.Post($"/topic/tombstone?topic={topic}&node={node}")).Is(200, "");

        (await fixture.Lookupd.Get($"/lookup?topic={topic}")).Is(200, """{"channels":[],"producers":[]}""");
        var nodeJson = Assert.Single((await fixture.Lookupd.Get("/nodes")).Json.GetProperty("producers").EnumerateArray());
        var topics = nodeJson.GetProperty("topics").EnumerateArray().Select(t => t.GetString()).ToList();
        Assert.True(nodeJson.GetProperty("tombstones")[topics.IndexOf(topic)].GetBoolean());
    }

    [Theory]
    [InlineData("test-broadcast:4150")]
    [InlineData("elsewhere:4151")]
    public async Task Tombstone_of_another_node_is_a_no_op(string node)
    {
        var topic = fixture.NewTopic("tombstone-other");
        (await fixture.Nsqd.Post($"/pub?topic={topic}", "x")).Is(200, "OK");
        (await fixture.Lookupd.Post($"/topic/tombstone?topic={topic}&node={node}")).Is(200, "");
        (await fixture.Lookupd.Get($"/lookup?topic={topic}")).Is(200, $$"""{"channels":[],"producers":[{{Peer}}]}""");
    }

    [Fact]
    public async Task Tombstone_without_node_is_400_MISSING_ARG_NODE()
    {
        (await fixture.Lookupd.Post("/topic/tombstone")).Is(400, """{"message":"MISSING_ARG_TOPIC"}""");
        (await fixture.Lookupd.Post("/topic/tombstone?topic=t")).Is(400, """{"message":"MISSING_ARG_NODE"}""");
    }

    [Fact]
    public async Task Topic_create_with_invalid_name_is_400_INVALID_ARG_TOPIC()
    {
        (await fixture.Lookupd.Post("/topic/create")).Is(400, """{"message":"MISSING_ARG_TOPIC"}""");
        (await fixture.Lookupd.Post("/topic/create?topic=bad!")).Is(400, """{"message":"INVALID_ARG_TOPIC"}""");
    }

    [Fact]
    public async Task Topic_create_then_delete_registers_and_removes_the_topic()
    {
        var topic = fixture.NewTopic("lk-topic");
        (await fixture.Lookupd.Post($"/topic/create?topic={topic}")).Is(200, "");
        (await fixture.Lookupd.Get($"/lookup?topic={topic}")).Is(200, """{"channels":[],"producers":[]}""");
        (await fixture.Lookupd.Post($"/topic/delete?topic={topic}")).Is(200, "");
        (await fixture.Lookupd.Get($"/lookup?topic={topic}")).Is(404, """{"message":"TOPIC_NOT_FOUND"}""");
    }

    [Fact]
    public async Task Topic_delete_of_unknown_topic_is_200()
    {
        (await fixture.Lookupd.Post($"/topic/delete?topic={fixture.NewTopic("lk-unknown")}")).Is(200, "");
        (await fixture.Lookupd.Post("/topic/delete")).Is(400, """{"message":"MISSING_ARG_TOPIC"}""");
    }

    [Fact]
    public async Task Channel_create_and_delete_check_args_like_nsqd_channels()
    {
        foreach (var path in new[] { "/channel/create", "/channel/delete" })
        {
            (await fixture.Lookupd.Post(path)).Is(400, """{"message":"MISSING_ARG_TOPIC"}""");
            (await fixture.Lookupd.Post($"{path}?topic=bad!")).Is(400, """{"message":"INVALID_ARG_TOPIC"}""");
            (await fixture.Lookupd.Post($"{path}?topic=t")).Is(400, """{"message":"MISSING_ARG_CHANNEL"}""");
            (await fixture.Lookupd.Post($"{path}?topic=t&channel=bad!")).Is(400, """{"message":"INVALID_ARG_CHANNEL"}""");
        }
    }

    [Fact]
    public async Task Channel_delete_of_unknown_channel_is_404_CHANNEL_NOT_FOUND()
    {
        var topic = fixture.NewTopic("lk-chan");
        (await fixture.Lookupd.Post($"/channel/delete?topic={topic}&channel=c")).Is(404, """{"message":"CHANNEL_NOT_FOUND"}""");
        (await fixture.Lookupd.Post($"/channel/create?topic={topic}&channel=c")).Is(200, "");
        (await fixture.Lookupd.Post($"/channel/delete?topic={topic}&channel=c")).Is(200, "");
        (await fixture.Lookupd.Get($"/channels?topic={topic}")).Is(200, """{"channels":[]}""");
    }

    [Fact]
    public async Task Info_is_the_version_only()
    {
        var reply = await fixture.Lookupd.Get("/info");
        reply.Is(200, """{"version":"1.3.0"}""");
        Assert.Equal("application/json; charset=utf-8", reply.ContentType);
    }

    [Fact]
    public async Task Debug_lists_this_node_as_a_client_and_under_its_topics()
    {
        var topic = fixture.NewTopic("debug");
        (await fixture.Nsqd.Post($"/topic/create?topic={topic}")).Is(200, "");
        var json = (await fixture.Lookupd.Get("/debug")).Json;
        var client = Assert.Single(json.GetProperty("client::").EnumerateArray());
        Assert.Equal(
            ["id", "hostname", "broadcast_address", "tcp_port", "http_port", "version", "last_update", "tombstoned", "tombstoned_at"],
            Http.Keys(client));
        Assert.Equal(JsonValueKind.Object, Assert.Single(json.GetProperty($"topic:{topic}:").EnumerateArray()).ValueKind);
    }
}
