using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace OrleansNsq.Gateway.Tests.Http;

/// <summary>nsqd /pub and /mpub (nsqd 1.3.0: nsqd/http.go doPUB, doMPUB). Limits: max-msg-size
/// <see cref="HttpApiFixture.MaxMsgSize"/>, max-body-size <see cref="HttpApiFixture.MaxBodySize"/>.</summary>
[Collection(HttpCollection.Name)]
public sealed class PublishTests(HttpApiFixture fixture)
{
    private const string MsgEmpty = """{"message":"MSG_EMPTY"}""";
    private const string MsgTooBig = """{"message":"MSG_TOO_BIG"}""";
    private const string BodyTooBig = """{"message":"BODY_TOO_BIG"}""";
    private const string BadBody = """{"message":"BAD_BODY"}""";
    private const string BadMessage = """{"message":"BAD_MESSAGE"}""";
    private const string InvalidDefer = """{"message":"INVALID_DEFER"}""";

    [Fact]
    public async Task Pub_answers_OK_and_the_topic_counts_the_message()
    {
        var topic = fixture.NewTopic("pub");
        var reply = await fixture.Nsqd.Post($"/pub?topic={topic}", "hello");
        reply.Is(200, "OK");
        Assert.Equal("text/plain; charset=utf-8", reply.ContentType);
        var stats = await TopicStats(topic);
        Assert.Equal((1, 5), (stats.GetProperty("message_count").GetInt64(), stats.GetProperty("message_bytes").GetInt64()));
    }

    [Fact]
    public async Task Put_and_mput_the_names_before_nsqd_1_0_publish_as_pub_and_mpub()
    {
        var topic = fixture.NewTopic("put");
        (await fixture.Nsqd.Post($"/put?topic={topic}", "hello world 1")).Is(200, "OK");
        (await fixture.Nsqd.Post($"/mput?topic={topic}", "a\nb")).Is(200, "OK");
        var stats = await TopicStats(topic);
        Assert.Equal(3, stats.GetProperty("message_count").GetInt64());
        (await fixture.Nsqd.Post("/put", "x")).Is(400, """{"message":"MISSING_ARG_TOPIC"}""");
    }

    [Fact]
    public async Task Pub_with_empty_body_is_400_MSG_EMPTY()
    {
        (await fixture.Nsqd.Post($"/pub?topic={fixture.NewTopic("pub-empty")}", "")).Is(400, MsgEmpty);
    }

    [Fact]
    public async Task Pub_checks_the_body_before_the_topic_so_MSG_EMPTY_wins_over_MISSING_ARG_TOPIC()
    {
        (await fixture.Nsqd.Post("/pub")).Is(400, MsgEmpty);
        (await fixture.Nsqd.Post("/pub?topic=bad!name")).Is(400, MsgEmpty);
    }

    [Fact]
    public async Task Pub_over_max_msg_size_is_413_MSG_TOO_BIG()
    {
        var topic = fixture.NewTopic("pub-big");
        (await fixture.Nsqd.Post($"/pub?topic={topic}", new byte[HttpApiFixture.MaxMsgSize + 1])).Is(413, MsgTooBig);
        (await fixture.Nsqd.Post("/pub", new byte[HttpApiFixture.MaxMsgSize + 1])).Is(413, MsgTooBig);
        (await fixture.Nsqd.Post($"/pub?topic={topic}", new byte[HttpApiFixture.MaxMsgSize])).Is(200, "OK");
    }

    [Fact]
    public async Task Pub_of_a_chunked_body_over_max_msg_size_is_413_MSG_TOO_BIG()
    {
        var topic = fixture.NewTopic("pub-chunked");
        (await fixture.Nsqd.Post($"/pub?topic={topic}", new byte[HttpApiFixture.MaxMsgSize + 1], chunked: true)).Is(413, MsgTooBig);
        (await fixture.Nsqd.Post($"/pub?topic={topic}", new byte[HttpApiFixture.MaxMsgSize], chunked: true)).Is(200, "OK");
    }

    [Fact]
    public async Task Pub_without_topic_is_400_MISSING_ARG_TOPIC()
    {
        (await fixture.Nsqd.Post("/pub", "x")).Is(400, """{"message":"MISSING_ARG_TOPIC"}""");
    }

    [Theory]
    [InlineData("")]
    [InlineData("bad!name")]
    [InlineData("a%2Fb")]
    [InlineData("x%23ephemera")]
    [InlineData("12345678901234567890123456789012345678901234567890123456789012345")]
    public async Task Pub_with_invalid_topic_is_400_INVALID_TOPIC(string topic)
    {
        (await fixture.Nsqd.Post($"/pub?topic={topic}", "x")).Is(400, """{"message":"INVALID_TOPIC"}""");
    }

    [Fact]
    public async Task First_value_of_a_repeated_parameter_wins()
    {
        var topic = fixture.NewTopic("first-wins");
        (await fixture.Nsqd.Post($"/pub?topic={topic}&topic=bad!name", "x")).Is(200, "OK");
        (await fixture.Nsqd.Post($"/pub?topic=bad!name&topic={topic}", "x")).Is(400, """{"message":"INVALID_TOPIC"}""");
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("")]
    [InlineData("-1")]
    [InlineData("1.5")]
    [InlineData("3600001")]
    public async Task Pub_with_bad_defer_is_400_INVALID_DEFER_and_still_creates_the_topic(string defer)
    {
        var topic = fixture.NewTopic("pub-defer");
        (await fixture.Nsqd.Post($"/pub?topic={topic}&defer={defer}", "x")).Is(400, InvalidDefer);
        var stats = await TopicStats(topic);
        Assert.Equal(0, stats.GetProperty("message_count").GetInt64());
    }

    [Fact]
    public async Task Pub_with_defer_of_max_req_timeout_is_OK()
    {
        var topic = fixture.NewTopic("pub-defer-max");
        (await fixture.Nsqd.Post($"/pub?topic={topic}&defer=3600000", "x")).Is(200, "OK");
        (await fixture.Nsqd.Post($"/pub?topic={topic}&defer=%2B0", "x")).Is(200, "OK");
    }

    [Fact]
    public async Task Pub_with_defer_puts_the_message_in_each_channels_deferred_queue()
    {
        var topic = fixture.NewTopic("pub-deferred");
        (await fixture.Nsqd.Post($"/topic/create?topic={topic}")).Is(200, "");
        (await fixture.Nsqd.Post($"/channel/create?topic={topic}&channel=c")).Is(200, "");
        (await fixture.Nsqd.Post($"/pub?topic={topic}&defer=60000", "later")).Is(200, "OK");
        var channel = Assert.Single((await TopicStats(topic)).GetProperty("channels").EnumerateArray());
        Assert.Equal((0, 1), (channel.GetProperty("depth").GetInt64(), channel.GetProperty("deferred_count").GetInt64()));
    }

    [Fact]
    public async Task Pub_to_an_ephemeral_topic_is_OK()
    {
        var topic = fixture.NewTopic("eph") + "%23ephemeral";
        (await fixture.Nsqd.Post($"/pub?topic={topic}", "x")).Is(200, "OK");
    }

    [Fact]
    public async Task Mpub_text_splits_on_newline_keeps_CR_and_skips_empty_lines()
    {
        var topic = fixture.NewTopic("mpub-text");
        (await fixture.Nsqd.Post($"/mpub?topic={topic}", "ab\r\n\n\ncd\nef")).Is(200, "OK");
        var stats = await TopicStats(topic);
        // "ab\r", "cd", "ef"
        Assert.Equal((3, 7), (stats.GetProperty("message_count").GetInt64(), stats.GetProperty("message_bytes").GetInt64()));
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n\n\n")]
    public async Task Mpub_text_without_messages_is_OK_and_creates_the_topic(string body)
    {
        var topic = fixture.NewTopic("mpub-none");
        (await fixture.Nsqd.Post($"/mpub?topic={topic}", body)).Is(200, "OK");
        Assert.Equal(0, (await TopicStats(topic)).GetProperty("message_count").GetInt64());
    }

    [Fact]
    public async Task Mpub_over_max_body_size_is_413_BODY_TOO_BIG_before_the_topic_is_checked()
    {
        (await fixture.Nsqd.Post("/mpub", new byte[HttpApiFixture.MaxBodySize + 1])).Is(413, BodyTooBig);
    }

    [Fact]
    public async Task Mpub_text_of_a_chunked_body_over_max_body_size_is_413_BODY_TOO_BIG()
    {
        var lines = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("0123456789\n", 100)));
        (await fixture.Nsqd.Post($"/mpub?topic={fixture.NewTopic("mpub-chunked")}", lines, chunked: true)).Is(413, BodyTooBig);
    }

    [Fact]
    public async Task Mpub_text_line_over_max_msg_size_is_413_MSG_TOO_BIG_and_the_topic_exists()
    {
        var topic = fixture.NewTopic("mpub-line");
        var body = "ok\n" + new string('x', HttpApiFixture.MaxMsgSize + 1) + "\n";
        (await fixture.Nsqd.Post($"/mpub?topic={topic}", body)).Is(413, MsgTooBig);
        Assert.Equal(0, (await TopicStats(topic)).GetProperty("message_count").GetInt64());
    }

    [Fact]
    public async Task Mpub_without_topic_is_400_MISSING_ARG_TOPIC_and_bad_topic_400_INVALID_TOPIC()
    {
        (await fixture.Nsqd.Post("/mpub", "a\nb")).Is(400, """{"message":"MISSING_ARG_TOPIC"}""");
        (await fixture.Nsqd.Post("/mpub?topic=a/b", "a\nb")).Is(400, """{"message":"INVALID_TOPIC"}""");
    }

    [Theory]
    [InlineData("true")]
    [InlineData("1")]
    [InlineData("yes")]
    public async Task Mpub_binary_publishes_each_part(string flag)
    {
        var topic = fixture.NewTopic("mpub-binary");
        (await fixture.Nsqd.Post($"/mpub?topic={topic}&binary={flag}", Binary("a\nb", "cde"))).Is(200, "OK");
        var stats = await TopicStats(topic);
        Assert.Equal((2, 6), (stats.GetProperty("message_count").GetInt64(), stats.GetProperty("message_bytes").GetInt64()));
    }

    [Theory]
    [InlineData("false")]
    [InlineData("0")]
    public async Task Mpub_binary_false_is_text_mode(string flag)
    {
        var topic = fixture.NewTopic("mpub-textflag");
        (await fixture.Nsqd.Post($"/mpub?topic={topic}&binary={flag}", "a\nb")).Is(200, "OK");
        Assert.Equal(2, (await TopicStats(topic)).GetProperty("message_count").GetInt64());
    }

    [Fact]
    public async Task Mpub_binary_with_empty_body_or_count_0_is_413_BAD_BODY()
    {
        var topic = fixture.NewTopic("mpub-badbody");
        (await fixture.Nsqd.Post($"/mpub?topic={topic}&binary=true", "")).Is(413, BadBody);
        (await fixture.Nsqd.Post($"/mpub?topic={topic}&binary=true", new byte[4])).Is(413, BadBody);
        var tooMany = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(tooMany, (HttpApiFixture.MaxBodySize - 4) / 5 + 1);
        (await fixture.Nsqd.Post($"/mpub?topic={topic}&binary=true", tooMany)).Is(413, BadBody);
    }

    [Fact]
    public async Task Mpub_binary_with_bad_part_is_413_BAD_MESSAGE()
    {
        var topic = fixture.NewTopic("mpub-badmsg");
        // part of size 0
        (await fixture.Nsqd.Post($"/mpub?topic={topic}&binary=1", Binary("a", ""))).Is(413, BadMessage);
        // part over max-msg-size
        (await fixture.Nsqd.Post($"/mpub?topic={topic}&binary=1", Binary(new string('x', HttpApiFixture.MaxMsgSize + 1)))).Is(413, BadMessage);
        // count says 2, one part present
        var oneOfTwo = Binary("a");
        BinaryPrimitives.WriteInt32BigEndian(oneOfTwo, 2);
        (await fixture.Nsqd.Post($"/mpub?topic={topic}&binary=1", oneOfTwo)).Is(413, BadMessage);
        // size says 5, 1 byte present
        var shortPart = Binary("abcde")[..9];
        (await fixture.Nsqd.Post($"/mpub?topic={topic}&binary=1", shortPart)).Is(413, BadMessage);
        Assert.Equal(0, (await TopicStats(topic)).GetProperty("message_count").GetInt64());
    }

    [Fact]
    public async Task Get_on_pub_and_mpub_is_405()
    {
        (await fixture.Nsqd.Get("/pub?topic=x")).Is(405, """{"message":"METHOD_NOT_ALLOWED"}""");
        (await fixture.Nsqd.Get("/mpub?topic=x")).Is(405, """{"message":"METHOD_NOT_ALLOWED"}""");
    }

    /// <summary>[i32 count] then count × [i32 size][bytes].</summary>
    private static byte[] Binary(params string[] parts)
    {
        var bodies = parts.Select(Encoding.UTF8.GetBytes).ToArray();
        var buffer = new byte[4 + bodies.Sum(b => 4 + b.Length)];
        BinaryPrimitives.WriteInt32BigEndian(buffer, bodies.Length);
        var at = 4;
        foreach (var body in bodies)
        {
            BinaryPrimitives.WriteInt32BigEndian(buffer.AsSpan(at), body.Length);
            body.CopyTo(buffer, at + 4);
            at += 4 + body.Length;
        }
        return buffer;
    }

    private async Task<JsonElement> TopicStats(string topic)
    {
        var reply = await fixture.Nsqd.Get($"/stats?format=json&topic={topic}&include_mem=false");
        Assert.Equal(200, reply.Code);
        var topics = reply.Json.GetProperty("topics");
        Assert.Equal(JsonValueKind.Array, topics.ValueKind);
        return Assert.Single(topics.EnumerateArray());
    }
}
