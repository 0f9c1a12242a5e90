using OrleansNsq.Protocol;
using static OrleansNsq.Protocol.Tests.ParserDriver;

namespace OrleansNsq.Protocol.Tests;

// nsqd 1.3.0: nsqd/protocol_v2.go PUB and DPUB rows: params → topic → (DPUB timeout) → size ≤ 0 → size > max → body.
public class ProtocolV2ParserPublishTests
{
    [Fact]
    public void Pub_is_a_command_with_topic_and_body()
    {
        var input = Wire.Bytes("PUB orders\n", Wire.Body("hello"));

        var outcome = ParseEverySplit(input);

        Assert.Equal(new ParseOutcome(ParseStatus.Command, input.Length, CommandKind.Pub, Topic: "orders", Body: "hello", MessageId: -1), outcome);
    }

    [Fact]
    public void Pub_consumes_only_its_own_body()
    {
        var outcome = ParseEverySplit(Wire.Bytes("PUB t\n", Wire.Body("abc"), "NOP\n"));

        Assert.Equal(6 + 4 + 3, outcome.Consumed);
        Assert.Equal("abc", outcome.Body);
    }

    [Fact]
    public void Pub_body_may_contain_newlines_and_any_byte()
    {
        var body = "a\nb\r\n\0\xff";
        Assert.Equal(body, ParseEverySplit(Wire.Bytes("PUB t\n", Wire.Body(body))).Body);
    }

    [Fact]
    public void Pub_to_an_ephemeral_topic_is_a_command()
    {
        Assert.Equal("t#ephemeral", ParseEverySplit(Wire.Bytes("PUB t#ephemeral\n", Wire.Body("x"))).Topic);
    }

    [Fact]
    public void Pub_without_topic_is_fatal_E_INVALID()
    {
        AssertFatal(ParseEverySplit(Wire.Bytes("PUB\n")), "E_INVALID PUB insufficient number of parameters");
    }

    [Fact]
    public void Pub_with_empty_topic_is_fatal_E_BAD_TOPIC()
    {
        AssertFatal(ParseEverySplit(Wire.Bytes("PUB \n")), "E_BAD_TOPIC PUB topic name \"\" is not valid");
    }

    [Fact]
    public void Pub_with_invalid_topic_name_is_fatal_E_BAD_TOPIC()
    {
        AssertFatal(ParseEverySplit(Wire.Bytes("PUB bad!\n")), "E_BAD_TOPIC PUB topic name \"bad!\" is not valid");
    }

    [Fact]
    public void Pub_topic_name_is_go_quoted_in_the_error()
    {
        AssertFatal(ParseEverySplit(Wire.Bytes("PUB a\"b\\c\t\xff\n")), "E_BAD_TOPIC PUB topic name \"a\\\"b\\\\c\\t\\xff\" is not valid");
    }

    [Fact]
    public void Pub_topic_error_is_sent_before_the_size_word_arrives()
    {
        AssertFatal(Parse(Wire.Bytes("PUB bad!\n")), "E_BAD_TOPIC PUB topic name \"bad!\" is not valid");
    }

    [Fact]
    public void Pub_waits_for_the_size_word_and_the_body()
    {
        Assert.Equal(new ParseOutcome(ParseStatus.NeedMoreData, 0), Parse(Wire.Bytes("PUB t\n")));
        Assert.Equal(new ParseOutcome(ParseStatus.NeedMoreData, 0), Parse(Wire.Bytes("PUB t\n", 5, "hell")));
    }

    [Fact]
    public void Pub_with_zero_body_size_is_fatal_E_BAD_MESSAGE()
    {
        AssertFatal(ParseEverySplit(Wire.Bytes("PUB t\n", 0)), "E_BAD_MESSAGE PUB invalid message body size 0");
    }

    [Fact]
    public void Pub_with_negative_body_size_is_fatal_E_BAD_MESSAGE()
    {
        AssertFatal(ParseEverySplit(Wire.Bytes("PUB t\n", -5)), "E_BAD_MESSAGE PUB invalid message body size -5");
    }

    [Fact]
    public void Pub_body_of_exactly_max_msg_size_is_accepted()
    {
        var input = Wire.Bytes("PUB t\n", (int)MaxMsgSize, new byte[MaxMsgSize]);

        var outcome = Parse(input);

        Assert.Equal((ParseStatus.Command, (long)input.Length), (outcome.Status, outcome.Consumed));
    }

    [Fact]
    public void Pub_message_too_big_is_rejected_before_the_body_arrives()
    {
        AssertFatal(ParseEverySplit(Wire.Bytes("PUB t\n", (int)MaxMsgSize + 1)), "E_BAD_MESSAGE PUB message too big 1048577 > 1048576");
    }

    [Fact]
    public void Pub_limit_comes_from_the_parser_options()
    {
        var parser = new ProtocolV2Parser(maxMsgSize: 10, MaxBodySize, MaxRdyCount, MaxReqTimeoutMs);

        var outcome = Parse(new System.Buffers.ReadOnlySequence<byte>(Wire.Bytes("PUB t\n", 11)), ConnectionState.Init, parser);

        AssertFatal(outcome, "E_BAD_MESSAGE PUB message too big 11 > 10");
    }

    [Fact]
    public void Dpub_is_a_command_with_topic_defer_and_body()
    {
        var input = Wire.Bytes("DPUB t 1500\n", Wire.Body("later"));

        var outcome = ParseEverySplit(input);

        Assert.Equal(new ParseOutcome(ParseStatus.Command, input.Length, CommandKind.Dpub, Topic: "t", Number: 1500, Body: "later", MessageId: -1), outcome);
    }

    [Fact]
    public void Dpub_with_empty_timeout_defers_zero()
    {
        Assert.Equal(0, ParseEverySplit(Wire.Bytes("DPUB t \n", Wire.Body("x"))).Number);
    }

    [Fact]
    public void Dpub_timeout_of_exactly_max_req_timeout_is_accepted()
    {
        Assert.Equal(3600000, ParseEverySplit(Wire.Bytes("DPUB t 3600000\n", Wire.Body("x"))).Number);
    }

    [Fact]
    public void Dpub_without_timeout_is_fatal_E_INVALID()
    {
        AssertFatal(ParseEverySplit(Wire.Bytes("DPUB t\n")), "E_INVALID DPUB insufficient number of parameters");
    }

    [Fact]
    public void Dpub_with_invalid_topic_name_is_fatal_E_BAD_TOPIC()
    {
        AssertFatal(ParseEverySplit(Wire.Bytes("DPUB t! 10\n")), "E_BAD_TOPIC DPUB topic name \"t!\" is not valid");
    }

    [Fact]
    public void Dpub_topic_is_checked_before_the_timeout()
    {
        AssertFatal(ParseEverySplit(Wire.Bytes("DPUB t! x\n")), "E_BAD_TOPIC DPUB topic name \"t!\" is not valid");
    }

    [Fact]
    public void Dpub_negative_timeout_is_fatal_could_not_parse()
    {
        AssertFatal(ParseEverySplit(Wire.Bytes("DPUB t -1\n")), "E_INVALID DPUB could not parse timeout -1");
    }

    [Fact]
    public void Dpub_non_numeric_timeout_is_fatal_could_not_parse_with_raw_bytes()
    {
        AssertFatal(ParseEverySplit(Wire.Bytes("DPUB t 1x\xff\n")), "E_INVALID DPUB could not parse timeout 1x\xff");
    }

    [Fact]
    public void Dpub_timeout_out_of_range_is_fatal_before_the_size_word()
    {
        AssertFatal(ParseEverySplit(Wire.Bytes("DPUB t 9999999\n")), "E_INVALID DPUB timeout 9999999 out of range 0-3600000");
    }

    [Fact]
    public void Dpub_timeout_that_overflows_go_duration_is_printed_unsigned()
    {
        AssertFatal(
            ParseEverySplit(Wire.Bytes("DPUB t 18446744073709551615\n")),
            "E_INVALID DPUB timeout 18446744073709551615 out of range 0-3600000");
    }

    [Fact]
    public void Dpub_with_zero_body_size_is_fatal_E_BAD_MESSAGE()
    {
        AssertFatal(ParseEverySplit(Wire.Bytes("DPUB t 1\n", 0)), "E_BAD_MESSAGE DPUB invalid message body size 0");
    }

    [Fact]
    public void Dpub_message_too_big_is_rejected_before_the_body_arrives()
    {
        AssertFatal(ParseEverySplit(Wire.Bytes("DPUB t 1\n", (int)MaxMsgSize + 1)), "E_BAD_MESSAGE DPUB message too big 1048577 > 1048576");
    }

    [Fact]
    public void Dpub_range_comes_from_max_req_timeout()
    {
        var parser = new ProtocolV2Parser(MaxMsgSize, MaxBodySize, MaxRdyCount, maxReqTimeoutMs: 1000);

        var outcome = Parse(new System.Buffers.ReadOnlySequence<byte>(Wire.Bytes("DPUB t 1001\n")), ConnectionState.Init, parser);

        AssertFatal(outcome, "E_INVALID DPUB timeout 1001 out of range 0-1000");
    }
}
