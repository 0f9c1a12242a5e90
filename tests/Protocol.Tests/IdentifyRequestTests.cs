using System.Buffers;
using OrleansNsq.Protocol;

namespace OrleansNsq.Protocol.Tests;

// nsqd 1.3.0: nsqd/protocol_v2.go IDENTIFY: keys case-insensitive, unknown keys ignored, strict types, null = {}, anything else fails to decode.
public class IdentifyRequestTests
{
    private static IdentifyRequest Decode(string json)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(json);
        Assert.True(IdentifyRequest.TryParse(new ReadOnlySequence<byte>(bytes), out var request), json);
        return request;
    }

    private static bool Fails(string json) =>
        !IdentifyRequest.TryParse(new ReadOnlySequence<byte>(System.Text.Encoding.UTF8.GetBytes(json)), out _);

    [Fact]
    public void Empty_object_leaves_every_field_absent()
    {
        var request = Decode("{}");

        Assert.Equal(("", "", "", false, 0L, 0L, 0L, 0, 0L), (request.ClientId, request.Hostname, request.UserAgent, request.FeatureNegotiation,
            request.HeartbeatIntervalMs, request.OutputBufferSize, request.OutputBufferTimeoutMs, request.SampleRate, request.MsgTimeoutMs));
    }

    [Fact]
    public void Null_body_is_accepted_as_an_empty_object()
    {
        Assert.Equal("", Decode(" null ").ClientId);
    }

    [Fact]
    public void Go_nsq_identify_body_is_read()
    {
        var request = Decode("""
            {"client_id":"c1","hostname":"h.example","feature_negotiation":true,"heartbeat_interval":30000,
             "output_buffer_size":16384,"output_buffer_timeout":250,"tls_v1":true,"snappy":true,"deflate":true,
             "deflate_level":9,"sample_rate":10,"user_agent":"go-nsq/1.1.0","msg_timeout":5000,
             "short_id":"c1","long_id":"h.example","topology_zone":"","topology_region":""}
            """);

        Assert.Equal("c1", request.ClientId);
        Assert.Equal("h.example", request.Hostname);
        Assert.Equal("go-nsq/1.1.0", request.UserAgent);
        Assert.True(request.FeatureNegotiation);
        Assert.Equal(30000, request.HeartbeatIntervalMs);
        Assert.Equal(16384, request.OutputBufferSize);
        Assert.Equal(250, request.OutputBufferTimeoutMs);
        Assert.True(request.TlsV1);
        Assert.True(request.Snappy);
        Assert.True(request.Deflate);
        Assert.Equal(9, request.DeflateLevel);
        Assert.Equal(10, request.SampleRate);
        Assert.Equal(5000, request.MsgTimeoutMs);
    }

    [Fact]
    public void Keys_match_case_insensitively()
    {
        var request = Decode("""{"Heartbeat_Interval":1000,"CLIENT_ID":"x","Feature_Negotiation":true}""");

        Assert.Equal((1000L, "x", true), (request.HeartbeatIntervalMs, request.ClientId, request.FeatureNegotiation));
    }

    [Fact]
    public void Escaped_keys_match_after_unescaping()
    {
        Assert.Equal(1000, Decode("""{"heartbeat\u005finterval":1000}""").HeartbeatIntervalMs);
    }

    [Fact]
    public void Unknown_keys_of_any_type_are_ignored()
    {
        var request = Decode("""{"x":{"y":[1,{"z":null}]},"long_id":"l","n":1.5e3,"b":false,"msg_timeout":2000}""");

        Assert.Equal(2000, request.MsgTimeoutMs);
    }

    [Fact]
    public void Json_null_leaves_a_known_field_absent()
    {
        var request = Decode("""{"client_id":null,"heartbeat_interval":null,"feature_negotiation":null}""");

        Assert.Equal(("", 0L, false), (request.ClientId, request.HeartbeatIntervalMs, request.FeatureNegotiation));
    }

    [Fact]
    public void Later_duplicate_key_wins()
    {
        Assert.Equal(2000, Decode("""{"msg_timeout":1000,"MSG_TIMEOUT":2000}""").MsgTimeoutMs);
    }

    [Fact]
    public void Strings_are_unescaped()
    {
        Assert.Equal("a\"b\n\u00e9", Decode("""{"user_agent":"a\"b\n\u00e9"}""").UserAgent);
    }

    [Fact]
    public void Invalid_utf8_in_a_string_is_replaced_as_go_does()
    {
        var json = Wire.Bytes("{\"hostname\":\"a\u00ffb\",\"x\":\"\u00fe\"}");

        Assert.True(IdentifyRequest.TryParse(new ReadOnlySequence<byte>(json), out var request));
        Assert.Equal("a\ufffdb", request.Hostname);
    }

    [Fact]
    public void Lone_surrogate_escape_is_replaced_as_go_does()
    {
        var request = Decode("""{"client_id":"a\ud800b","hostname":"\udc00","user_agent":"\ud83d\ude00\ud83d\u0041"}""");

        Assert.Equal(("a\ufffdb", "\ufffd", "\U0001F600\ufffdA"), (request.ClientId, request.Hostname, request.UserAgent));
    }

    [Fact]
    public void Key_with_invalid_utf8_is_an_unknown_key()
    {
        var json = Wire.Bytes("{\"\u00ff\":1,\"msg_timeout\":1000}");

        Assert.True(IdentifyRequest.TryParse(new ReadOnlySequence<byte>(json), out var request));
        Assert.Equal(1000, request.MsgTimeoutMs);
    }

    [Fact]
    public void Negative_numbers_are_read()
    {
        var request = Decode("""{"heartbeat_interval":-1,"output_buffer_size":-1,"output_buffer_timeout":-1}""");

        Assert.Equal((-1L, -1L, -1L), (request.HeartbeatIntervalMs, request.OutputBufferSize, request.OutputBufferTimeoutMs));
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("[]")]
    [InlineData("1")]
    [InlineData("\"x\"")]
    [InlineData("true")]
    [InlineData("{")]
    [InlineData("{} x")]
    [InlineData("{}{}")]
    [InlineData("{\"a\":1,}")]
    [InlineData("{/*c*/}")]
    [InlineData("{'a':1}")]
    [InlineData("{\"heartbeat_interval\":\"1000\"}")]
    [InlineData("{\"heartbeat_interval\":1000.5}")]
    [InlineData("{\"heartbeat_interval\":1e3}")]
    [InlineData("{\"heartbeat_interval\":9223372036854775808}")]
    [InlineData("{\"sample_rate\":2147483648}")]
    [InlineData("{\"feature_negotiation\":1}")]
    [InlineData("{\"tls_v1\":\"true\"}")]
    [InlineData("{\"client_id\":5}")]
    [InlineData("{\"client_id\":{}}")]
    [InlineData("{\"msg_timeout\":[]}")]
    public void Body_nsqd_cannot_decode_fails(string json)
    {
        Assert.True(Fails(json));
    }

    [Fact]
    public void Byte_order_mark_fails_as_in_go()
    {
        Assert.False(IdentifyRequest.TryParse(new ReadOnlySequence<byte>([0xEF, 0xBB, 0xBF, (byte)'{', (byte)'}']), out _));
    }

    [Fact]
    public void Body_split_across_segments_decodes_the_same()
    {
        var json = System.Text.Encoding.UTF8.GetBytes("""{"client_id":"split","heartbeat_interval":5000,"x":[1,2]}""");
        for (var offset = 0; offset <= json.Length; offset++)
        {
            Assert.True(IdentifyRequest.TryParse(TestSequenceSegment.SplitAt(json, offset), out var request));
            Assert.Equal(("split", 5000L), (request.ClientId, request.HeartbeatIntervalMs));
        }
    }

    [Fact]
    public void Deeply_nested_unknown_value_is_ignored_like_go()
    {
        var json = "{\"x\":" + new string('[', 200) + new string(']', 200) + "}";

        Assert.False(Fails(json));
    }
}
