using OrleansNsq.Protocol;
using static OrleansNsq.Protocol.Tests.ParserDriver;

namespace OrleansNsq.Protocol.Tests;

// nsqd 1.3.0: nsqd/protocol_v2.go SUB, RDY, FIN, REQ, TOUCH and CLS rows.
public class ProtocolV2ParserConsumeTests
{
    private const string Id = "0123456789abcdef";
    private const long IdValue = 0x0123456789abcdef;

    private const ConnectionState Subscribed = ConnectionState.Subscribed;

    [Fact]
    public void Sub_is_a_command_with_topic_and_channel()
    {
        var outcome = ParseEverySplit(Wire.Bytes("SUB orders archive#ephemeral\n"));

        Assert.Equal(new ParseOutcome(ParseStatus.Command, 29, CommandKind.Sub, Topic: "orders", Channel: "archive#ephemeral", MessageId: -1), outcome);
    }

    [Fact]
    public void Sub_with_one_parameter_is_fatal_E_INVALID()
    {
        AssertFatal(ParseEverySplit(Wire.Bytes("SUB t\n")), "E_INVALID SUB insufficient number of parameters");
    }

    [Fact]
    public void Sub_with_a_double_space_has_an_empty_topic_E_BAD_TOPIC()
    {
        AssertFatal(ParseEverySplit(Wire.Bytes("SUB  t c\n")), "E_BAD_TOPIC SUB topic name \"\" is not valid");
    }

    [Fact]
    public void Sub_with_invalid_topic_name_is_fatal_E_BAD_TOPIC()
    {
        AssertFatal(ParseEverySplit(Wire.Bytes("SUB t:1 c\n")), "E_BAD_TOPIC SUB topic name \"t:1\" is not valid");
    }

    [Fact]
    public void Sub_with_invalid_channel_name_is_fatal_E_BAD_CHANNEL()
    {
        AssertFatal(ParseEverySplit(Wire.Bytes("SUB t c\x01\n")), "E_BAD_CHANNEL SUB channel name \"c\\x01\" is not valid");
    }

    [Fact]
    public void Sub_with_trailing_space_has_an_empty_channel_E_BAD_CHANNEL()
    {
        AssertFatal(ParseEverySplit(Wire.Bytes("SUB t \n")), "E_BAD_CHANNEL SUB channel name \"\" is not valid");
    }

    [Fact]
    public void Rdy_with_a_count_is_a_command()
    {
        Assert.Equal(new ParseOutcome(ParseStatus.Command, 8, CommandKind.Rdy, Number: 100, MessageId: -1), ParseEverySplit(Wire.Bytes("RDY 100\n"), Subscribed));
    }

    [Fact]
    public void Rdy_alone_means_one()
    {
        Assert.Equal(1, ParseEverySplit(Wire.Bytes("RDY\n"), Subscribed).Number);
    }

    [Fact]
    public void Rdy_with_an_empty_count_means_zero()
    {
        Assert.Equal(0, ParseEverySplit(Wire.Bytes("RDY \n"), Subscribed).Number);
    }

    [Fact]
    public void Rdy_of_max_rdy_count_is_accepted()
    {
        Assert.Equal(2500, ParseEverySplit(Wire.Bytes("RDY 2500\n"), Subscribed).Number);
    }

    [Fact]
    public void Rdy_above_max_rdy_count_is_fatal_E_INVALID()
    {
        AssertFatal(ParseEverySplit(Wire.Bytes("RDY 2501\n"), Subscribed), "E_INVALID RDY count 2501 out of range 0-2500");
    }

    [Fact]
    public void Rdy_negative_is_fatal_could_not_parse()
    {
        AssertFatal(ParseEverySplit(Wire.Bytes("RDY -1\n"), Subscribed), "E_INVALID RDY could not parse count -1");
    }

    [Fact]
    public void Rdy_non_numeric_is_fatal_could_not_parse()
    {
        AssertFatal(ParseEverySplit(Wire.Bytes("RDY 1.5\n"), Subscribed), "E_INVALID RDY could not parse count 1.5");
    }

    [Fact]
    public void Rdy_count_that_wraps_go_int64_is_printed_signed()
    {
        AssertFatal(ParseEverySplit(Wire.Bytes("RDY 18446744073709551615\n"), Subscribed), "E_INVALID RDY count -1 out of range 0-2500");
    }

    [Fact]
    public void Rdy_after_cls_is_a_command_even_when_unparsable()
    {
        var outcome = ParseEverySplit(Wire.Bytes("RDY nonsense\n"), ConnectionState.Closing);

        Assert.Equal((ParseStatus.Command, CommandKind.Rdy), (outcome.Status, outcome.Kind));
    }

    [Fact]
    public void Fin_is_a_command_with_raw_and_parsed_id()
    {
        var outcome = ParseEverySplit(Wire.Bytes($"FIN {Id}\n"), Subscribed);

        Assert.Equal(new ParseOutcome(ParseStatus.Command, 21, CommandKind.Fin, RawId: Id, MessageId: IdValue), outcome);
    }

    [Fact]
    public void Fin_of_16_non_hex_bytes_is_a_command_with_id_minus_one()
    {
        var outcome = ParseEverySplit(Wire.Bytes("FIN 0123456789abcdeg\n"), Subscribed);

        Assert.Equal((CommandKind.Fin, "0123456789abcdeg", -1L), (outcome.Kind, outcome.RawId, outcome.MessageId));
    }

    [Fact]
    public void Fin_of_an_uppercase_id_is_never_in_flight()
    {
        Assert.Equal(-1, ParseEverySplit(Wire.Bytes("FIN 0123456789ABCDEF\n"), Subscribed).MessageId);
    }

    [Fact]
    public void Fin_without_id_is_fatal_E_INVALID_params()
    {
        AssertFatal(ParseEverySplit(Wire.Bytes("FIN\n"), Subscribed), "E_INVALID FIN insufficient number of params");
    }

    [Fact]
    public void Fin_of_wrong_length_id_is_fatal_E_INVALID_invalid_message_ID()
    {
        AssertFatal(ParseEverySplit(Wire.Bytes("FIN 0123456789abcde\n"), Subscribed), "E_INVALID invalid message ID");
        AssertFatal(ParseEverySplit(Wire.Bytes("FIN 0123456789abcdef0\n"), Subscribed), "E_INVALID invalid message ID");
        AssertFatal(ParseEverySplit(Wire.Bytes("FIN \n"), Subscribed), "E_INVALID invalid message ID");
    }

    [Fact]
    public void Req_is_a_command_with_id_and_timeout()
    {
        var outcome = ParseEverySplit(Wire.Bytes($"REQ {Id} 5000\n"), Subscribed);

        Assert.Equal(new ParseOutcome(ParseStatus.Command, 26, CommandKind.Req, Number: 5000, RawId: Id, MessageId: IdValue), outcome);
    }

    [Fact]
    public void Req_timeout_above_max_is_not_clamped_by_the_parser()
    {
        Assert.Equal(99999999, ParseEverySplit(Wire.Bytes($"REQ {Id} 99999999\n"), Subscribed).Number);
    }

    [Fact]
    public void Req_with_empty_timeout_means_zero()
    {
        Assert.Equal(0, ParseEverySplit(Wire.Bytes($"REQ {Id} \n"), Subscribed).Number);
    }

    [Fact]
    public void Req_timeout_that_overflows_go_duration_is_negative()
    {
        Assert.True(ParseEverySplit(Wire.Bytes($"REQ {Id} 18446744073709551615\n"), Subscribed).Number < 0);
    }

    [Fact]
    public void Req_without_timeout_is_fatal_E_INVALID_params()
    {
        AssertFatal(ParseEverySplit(Wire.Bytes($"REQ {Id}\n"), Subscribed), "E_INVALID REQ insufficient number of params");
    }

    [Fact]
    public void Req_of_wrong_length_id_is_fatal_before_the_timeout_is_parsed()
    {
        AssertFatal(ParseEverySplit(Wire.Bytes("REQ abc x\n"), Subscribed), "E_INVALID invalid message ID");
    }

    [Fact]
    public void Req_with_unparsable_timeout_is_fatal_E_INVALID()
    {
        AssertFatal(ParseEverySplit(Wire.Bytes($"REQ {Id} x\n"), Subscribed), "E_INVALID REQ could not parse timeout x");
        AssertFatal(ParseEverySplit(Wire.Bytes($"REQ {Id} -1\n"), Subscribed), "E_INVALID REQ could not parse timeout -1");
    }

    [Fact]
    public void Touch_is_a_command_with_raw_and_parsed_id()
    {
        var outcome = ParseEverySplit(Wire.Bytes($"TOUCH {Id}\n"), Subscribed);

        Assert.Equal(new ParseOutcome(ParseStatus.Command, 23, CommandKind.Touch, RawId: Id, MessageId: IdValue), outcome);
    }

    [Fact]
    public void Touch_without_id_is_fatal_E_INVALID_params()
    {
        AssertFatal(ParseEverySplit(Wire.Bytes("TOUCH\n"), Subscribed), "E_INVALID TOUCH insufficient number of params");
    }

    [Fact]
    public void Touch_of_wrong_length_id_is_fatal_E_INVALID_invalid_message_ID()
    {
        AssertFatal(ParseEverySplit(Wire.Bytes("TOUCH 1\n"), Subscribed), "E_INVALID invalid message ID");
    }

    [Fact]
    public void Cls_while_subscribed_is_a_command()
    {
        Assert.Equal(new ParseOutcome(ParseStatus.Command, 4, CommandKind.Cls, MessageId: -1), ParseEverySplit(Wire.Bytes("CLS\n"), Subscribed));
    }
}
