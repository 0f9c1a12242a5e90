using System.Text.Json;

namespace OrleansNsq.Gateway.Tests.Http;

/// <summary>nsqd /topic/* and /channel/* (nsqd 1.3.0: nsqd/http.go; INVALID_TOPIC vs
/// INVALID_ARG_TOPIC, no validation on /topic/delete|pause).</summary>
[Collection(HttpCollection.Name)]
public sealed class TopicChannelTests(HttpApiFixture fixture)
{
    private const string TopicNotFound = """{"message":"TOPIC_NOT_FOUND"}""";
    private const string ChannelNotFound = """{"message":"CHANNEL_NOT_FOUND"}""";
    private const string MissingArgTopic = """{"message":"MISSING_ARG_TOPIC"}""";

    [Fact]
    public async Task Topic_create_makes_an_empty_topic()
    {
        var topic = fixture.NewTopic("create");
        (await fixture.Nsqd.Post($"/topic/create?topic={topic}")).Is(200, "");
        var stats = await Topic(topic);
        Assert.Equal(0, stats!.Value.GetProperty("channels").GetArrayLength());
    }

    [Fact]
    public async Task Topic_create_without_topic_is_400_MISSING_ARG_TOPIC_and_bad_name_400_INVALID_TOPIC()
    {
        (await fixture.Nsqd.Post("/topic/create")).Is(400, MissingArgTopic);
        (await fixture.Nsqd.Post("/topic/create?topic=bad!")).Is(400, """{"message":"INVALID_TOPIC"}""");
        (await fixture.Nsqd.Post("/topic/create?topic=")).Is(400, """{"message":"INVALID_TOPIC"}""");
    }

    [Theory]
    [InlineData("/topic/delete")]
    [InlineData("/topic/pause")]
    [InlineData("/topic/unpause")]
    public async Task Topic_delete_and_pause_skip_name_validation_and_are_404_TOPIC_NOT_FOUND(string path)
    {
        (await fixture.Nsqd.Post(path)).Is(400, MissingArgTopic);
        (await fixture.Nsqd.Post($"{path}?topic=bad!")).Is(404, TopicNotFound);
        (await fixture.Nsqd.Post($"{path}?topic={fixture.NewTopic("unknown")}")).Is(404, TopicNotFound);
    }

    [Fact]
    public async Task Topic_empty_validates_the_name_then_is_404_TOPIC_NOT_FOUND()
    {
        (await fixture.Nsqd.Post("/topic/empty?topic=bad!")).Is(400, """{"message":"INVALID_TOPIC"}""");
        (await fixture.Nsqd.Post($"/topic/empty?topic={fixture.NewTopic("unknown")}")).Is(404, TopicNotFound);
    }

    [Fact]
    public async Task Topic_empty_drops_the_topics_own_messages()
    {
        var topic = fixture.NewTopic("empty");
        (await fixture.Nsqd.Post($"/mpub?topic={topic}", "a\nb\nc")).Is(200, "OK");
        Assert.Equal(3, (await Topic(topic))!.Value.GetProperty("depth").GetInt64());
        (await fixture.Nsqd.Post($"/topic/empty?topic={topic}")).Is(200, "");
        Assert.Equal(0, (await Topic(topic))!.Value.GetProperty("depth").GetInt64());
    }

    [Fact]
    public async Task Topic_delete_removes_the_topic()
    {
        var topic = fixture.NewTopic("delete");
        (await fixture.Nsqd.Post($"/topic/create?topic={topic}")).Is(200, "");
        (await fixture.Nsqd.Post($"/topic/delete?topic={topic}")).Is(200, "");
        Assert.Null(await Topic(topic));
        (await fixture.Nsqd.Post($"/topic/delete?topic={topic}")).Is(404, TopicNotFound);
    }

    [Fact]
    public async Task Topic_pause_and_unpause_show_in_stats()
    {
        var topic = fixture.NewTopic("pause");
        (await fixture.Nsqd.Post($"/topic/create?topic={topic}")).Is(200, "");
        (await fixture.Nsqd.Post($"/topic/pause?topic={topic}")).Is(200, "");
        Assert.True((await Topic(topic))!.Value.GetProperty("paused").GetBoolean());
        (await fixture.Nsqd.Post($"/topic/unpause?topic={topic}")).Is(200, "");
        Assert.False((await Topic(topic))!.Value.GetProperty("paused").GetBoolean());
    }

    [Theory]
    [InlineData("/channel/create")]
    [InlineData("/channel/delete")]
    [InlineData("/channel/empty")]
    [InlineData("/channel/pause")]
    [InlineData("/channel/unpause")]
    public async Task Channel_args_are_checked_in_nsqd_order(string path)
    {
        (await fixture.Nsqd.Post(path)).Is(400, MissingArgTopic);
        (await fixture.Nsqd.Post($"{path}?channel=c")).Is(400, MissingArgTopic);
        (await fixture.Nsqd.Post($"{path}?topic=bad!&channel=bad!")).Is(400, """{"message":"INVALID_ARG_TOPIC"}""");
        (await fixture.Nsqd.Post($"{path}?topic=t")).Is(400, """{"message":"MISSING_ARG_CHANNEL"}""");
        (await fixture.Nsqd.Post($"{path}?topic=t&channel=bad!")).Is(400, """{"message":"INVALID_ARG_CHANNEL"}""");
        (await fixture.Nsqd.Post($"{path}?topic={fixture.NewTopic("no-topic")}&channel=c")).Is(404, TopicNotFound);
    }

    [Fact]
    public async Task Channel_create_on_unknown_topic_is_404_TOPIC_NOT_FOUND_and_does_not_create_it()
    {
        var topic = fixture.NewTopic("chan-no-topic");
        (await fixture.Nsqd.Post($"/channel/create?topic={topic}&channel=c")).Is(404, TopicNotFound);
        Assert.Null(await Topic(topic));
    }

    [Fact]
    public async Task Channel_create_adds_a_channel_with_no_clients()
    {
        var topic = fixture.NewTopic("chan-create");
        (await fixture.Nsqd.Post($"/topic/create?topic={topic}")).Is(200, "");
        (await fixture.Nsqd.Post($"/channel/create?topic={topic}&channel=ch")).Is(200, "");
        var channel = Assert.Single((await Topic(topic))!.Value.GetProperty("channels").EnumerateArray());
        Assert.Equal("ch", channel.GetProperty("channel_name").GetString());
        Assert.Equal("[]", channel.GetProperty("clients").GetRawText());
    }

    [Theory]
    [InlineData("/channel/delete")]
    [InlineData("/channel/empty")]
    [InlineData("/channel/pause")]
    [InlineData("/channel/unpause")]
    public async Task Channel_operation_on_unknown_channel_is_404_CHANNEL_NOT_FOUND(string path)
    {
        var topic = fixture.NewTopic("chan-unknown");
        (await fixture.Nsqd.Post($"/topic/create?topic={topic}")).Is(200, "");
        (await fixture.Nsqd.Post($"{path}?topic={topic}&channel=nope")).Is(404, ChannelNotFound);
    }

    [Fact]
    public async Task Channel_pause_and_unpause_show_in_stats()
    {
        var topic = fixture.NewTopic("chan-pause");
        (await fixture.Nsqd.Post($"/topic/create?topic={topic}")).Is(200, "");
        (await fixture.Nsqd.Post($"/channel/create?topic={topic}&channel=c")).Is(200, "");
        (await fixture.Nsqd.Post($"/channel/pause?topic={topic}&channel=c")).Is(200, "");
        Assert.True(Channel(await Topic(topic)).GetProperty("paused").GetBoolean());
        (await fixture.Nsqd.Post($"/channel/unpause?topic={topic}&channel=c")).Is(200, "");
        Assert.False(Channel(await Topic(topic)).GetProperty("paused").GetBoolean());
    }

    [Fact]
    public async Task Channel_empty_drops_its_messages()
    {
        var topic = fixture.NewTopic("chan-empty");
        (await fixture.Nsqd.Post($"/topic/create?topic={topic}")).Is(200, "");
        (await fixture.Nsqd.Post($"/channel/create?topic={topic}&channel=c")).Is(200, "");
        (await fixture.Nsqd.Post($"/mpub?topic={topic}", "a\nb")).Is(200, "OK");
        Assert.Equal(2, Channel(await Topic(topic)).GetProperty("depth").GetInt64());
        (await fixture.Nsqd.Post($"/channel/empty?topic={topic}&channel=c")).Is(200, "");
        Assert.Equal(0, Channel(await Topic(topic)).GetProperty("depth").GetInt64());
    }

    [Fact]
    public async Task Channel_delete_removes_the_channel()
    {
        var topic = fixture.NewTopic("chan-delete");
        (await fixture.Nsqd.Post($"/topic/create?topic={topic}")).Is(200, "");
        (await fixture.Nsqd.Post($"/channel/create?topic={topic}&channel=c")).Is(200, "");
        (await fixture.Nsqd.Post($"/channel/delete?topic={topic}&channel=c")).Is(200, "");
        Assert.Equal(0, (await Topic(topic))!.Value.GetProperty("channels").GetArrayLength());
        (await fixture.Nsqd.Post($"/channel/delete?topic={topic}&channel=c")).Is(404, ChannelNotFound);
    }

    private static JsonElement Channel(JsonElement? topic) => Assert.Single(topic!.Value.GetProperty("channels").EnumerateArray());

    /// <summary>The topic's /stats entry; null when /stats does not know the topic.</summary>
    private async Task<JsonElement?> Topic(string topic)
    {
        var reply = await fixture.Nsqd.Get($"/stats?format=json&topic={topic}&include_mem=false");
        Assert.Equal(200, reply.Code);
        var topics = reply.Json.GetProperty("topics");
        return topics.ValueKind == JsonValueKind.Null ? null : Assert.Single(topics.EnumerateArray());
    }
}
