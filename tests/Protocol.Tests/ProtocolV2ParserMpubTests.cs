using System.Buffers;
using OrleansNsq.Protocol;
using static OrleansNsq.Protocol.Tests.ParserDriver;

namespace OrleansNsq.Protocol.Tests;

// nsqd 1.3.0: nsqd/protocol_v2.go MPUB row: params → name → body size ≤ 0 → > max-body-size → count → each part (0-based index).
public class ProtocolV2ParserMpubTests
{
    [Fact]
    public void Mpub_is_a_command_with_topic_count_and_parts()
    {
        var parts = Wire.Bytes(Wire.Body("one"), Wire.Body("second"));
        var input = Wire.Bytes("MPUB t\n", 4 + parts.Length, 2, parts);

        var outcome = ParseEverySplit(input);

        Assert.Equal(
            new ParseOutcome(ParseStatus.Command, input.Length, CommandKind.Mpub, Topic: "t", Body: Wire.Text(parts), MessageCount: 2, MessageId: -1),
            outcome);
    }

    [Fact]
    public void Mpub_body_is_walked_part_by_part()
    {
        var input = Wire.Bytes("MPUB t\n", 100, 3, Wire.Body("a"), Wire.Body("bb"), Wire.Body("ccc"));
        for (var offset = 0; offset <= input.Length; offset++)
        {
            Parser.TryParse(TestSequenceSegment.SplitAt(input, offset), ConnectionState.Init, out _, out var command, out _);

            var reader = new MpubReader(command.Body);
            var bodies = new List<string>();
            while (reader.TryNext(out var body))
            {
                bodies.Add(Wire.Text(body.ToArray()));
            }

            Assert.Equal(["a", "bb", "ccc"], bodies);
        }
    }

    [Fact]
    public void Mpub_outer_size_is_never_compared_with_the_parts()
    {
        var input = Wire.Bytes("MPUB t\n", 1, 2, Wire.Body("x"), Wire.Body("y"));

        Assert.Equal(input.Length, ParseEverySplit(input).Consumed);
    }

    [Fact]
    public void Mpub_without_topic_is_fatal_E_INVALID()
    {
        AssertFatal(ParseEverySplit(Wire.Bytes("MPUB\n")), "E_INVALID MPUB insufficient number of parameters");
    }

    [Fact]
    public void Mpub_with_invalid_topic_name_doubles_the_code_E_BAD_TOPIC()
    {
        AssertFatal(ParseEverySplit(Wire.Bytes("MPUB a/b\n")), "E_BAD_TOPIC E_BAD_TOPIC MPUB topic name \"a/b\" is not valid");
    }

    [Fact]
    public void Mpub_with_zero_body_size_is_fatal_E_BAD_BODY()
    {
        AssertFatal(ParseEverySplit(Wire.Bytes("MPUB t\n", 0)), "E_BAD_BODY MPUB invalid body size 0");
    }

    [Fact]
    public void Mpub_body_too_big_is_decided_on_the_size_word_alone()
    {
        AssertFatal(ParseEverySplit(Wire.Bytes("MPUB t\n", (int)MaxBodySize + 1)), "E_BAD_BODY MPUB body too big 5242881 > 5242880");
    }

    [Fact]
    public void Mpub_with_zero_message_count_is_fatal_E_BAD_BODY()
    {
        AssertFatal(ParseEverySplit(Wire.Bytes("MPUB t\n", 10, 0)), "E_BAD_BODY MPUB invalid message count 0");
    }

    [Fact]
    public void Mpub_with_negative_message_count_is_fatal_E_BAD_BODY()
    {
        AssertFatal(ParseEverySplit(Wire.Bytes("MPUB t\n", 10, -1)), "E_BAD_BODY MPUB invalid message count -1");
    }

    [Fact]
    public void Mpub_message_count_above_max_body_size_minus_4_over_5_is_fatal()
    {
        // (5242880 - 4) / 5 = 1048575 parts of 5 bytes each is the most a max-size body can hold.
        AssertFatal(ParseEverySplit(Wire.Bytes("MPUB t\n", 10, 1048576)), "E_BAD_BODY MPUB invalid message count 1048576");
        Assert.Equal(ParseStatus.NeedMoreData, Parse(Wire.Bytes("MPUB t\n", 10, 1048575)).Status);
    }

    [Fact]
    public void Mpub_bad_first_part_reports_message_0()
    {
        AssertFatal(ParseEverySplit(Wire.Bytes("MPUB t\n", 20, 2, 0)), "E_BAD_MESSAGE MPUB invalid message(0) body size 0");
    }

    [Fact]
    public void Mpub_bad_second_part_reports_message_1()
    {
        AssertFatal(ParseEverySplit(Wire.Bytes("MPUB t\n", 20, 2, Wire.Body("ok"), -3)), "E_BAD_MESSAGE MPUB invalid message(1) body size -3");
    }

    [Fact]
    public void Mpub_part_too_big_is_rejected_before_its_body_arrives()
    {
        AssertFatal(
            ParseEverySplit(Wire.Bytes("MPUB t\n", 20, 2, Wire.Body("ok"), (int)MaxMsgSize + 1)),
            "E_BAD_MESSAGE MPUB message too big 1048577 > 1048576");
    }

    [Fact]
    public void Mpub_waits_for_every_part()
    {
        Assert.Equal(new ParseOutcome(ParseStatus.NeedMoreData, 0), Parse(Wire.Bytes("MPUB t\n", 20, 2, Wire.Body("ok"))));
        Assert.Equal(new ParseOutcome(ParseStatus.NeedMoreData, 0), Parse(Wire.Bytes("MPUB t\n", 20, 2, Wire.Body("ok"), 3, "ab")));
    }

    [Fact]
    public void Mpub_part_of_exactly_max_msg_size_is_accepted()
    {
        var input = Wire.Bytes("MPUB t\n", 8 + (int)MaxMsgSize, 1, (int)MaxMsgSize, new byte[MaxMsgSize]);

        var outcome = Parse(input);

        Assert.Equal((ParseStatus.Command, 1), (outcome.Status, outcome.MessageCount));
    }
}
