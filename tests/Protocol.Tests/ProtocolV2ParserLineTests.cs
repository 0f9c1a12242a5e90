using System.Buffers;
using OrleansNsq.Protocol;
using static OrleansNsq.Protocol.Tests.ParserDriver;

namespace OrleansNsq.Protocol.Tests;

// nsqd 1.3.0 (nsqd/protocol_v2.go), command parsing: the command line itself.
public class ProtocolV2ParserLineTests
{
    [Fact]
    public void Nop_is_a_command()
    {
        var outcome = ParseEverySplit(Wire.Bytes("NOP\n"));

        Assert.Equal(new ParseOutcome(ParseStatus.Command, 4, CommandKind.Nop, MessageId: -1), outcome);
    }

    [Fact]
    public void Nop_is_allowed_in_every_state()
    {
        foreach (var state in new[] { ConnectionState.Init, ConnectionState.Subscribed, ConnectionState.Closing })
        {
            Assert.Equal(CommandKind.Nop, ParseEverySplit(Wire.Bytes("NOP\n"), state).Kind);
        }
    }

    [Fact]
    public void Line_without_newline_needs_more_data()
    {
        var outcome = ParseEverySplit(Wire.Bytes("NOP"));

        Assert.Equal(new ParseOutcome(ParseStatus.NeedMoreData, 0), outcome);
    }

    [Fact]
    public void Empty_input_needs_more_data()
    {
        Assert.Equal(new ParseOutcome(ParseStatus.NeedMoreData, 0), Parse([]));
    }

    [Fact]
    public void One_trailing_carriage_return_is_stripped()
    {
        var outcome = ParseEverySplit(Wire.Bytes("SUB t c\r\n"));

        Assert.Equal(CommandKind.Sub, outcome.Kind);
        Assert.Equal("c", outcome.Channel);
        Assert.Equal(9, outcome.Consumed);
    }

    [Fact]
    public void Only_one_carriage_return_is_stripped()
    {
        AssertFatal(ParseEverySplit(Wire.Bytes("NOP\r\r\n")), "E_INVALID invalid command NOP\r");
    }

    [Fact]
    public void Verbs_are_case_sensitive()
    {
        AssertFatal(ParseEverySplit(Wire.Bytes("nop\n")), "E_INVALID invalid command nop");
    }

    [Fact]
    public void Unknown_verb_is_fatal_E_INVALID_with_the_raw_verb()
    {
        AssertFatal(ParseEverySplit(Wire.Bytes("FOO\xff\x01 bar\n")), "E_INVALID invalid command FOO\xff\x01");
    }

    [Fact]
    public void Empty_line_is_invalid_command_with_a_trailing_space()
    {
        AssertFatal(ParseEverySplit(Wire.Bytes("\n")), "E_INVALID invalid command ");
    }

    [Fact]
    public void Line_starting_with_a_space_has_an_empty_verb()
    {
        AssertFatal(ParseEverySplit(Wire.Bytes(" NOP\n")), "E_INVALID invalid command ");
    }

    [Fact]
    public void Invalid_command_error_is_consumed_after_the_line()
    {
        Assert.Equal(4, Parse(Wire.Bytes("nop\nNOP\n")).Consumed);
    }

    [Fact]
    public void Commands_are_parsed_one_at_a_time()
    {
        var input = Wire.Bytes("NOP\n", "PUB t\n", Wire.Body("hi"), "NOP\n");
        var sequence = new ReadOnlySequence<byte>(input);
        var kinds = new List<CommandKind>();
        while (Parser.TryParse(sequence, ConnectionState.Init, out var consumed, out var command, out _) == ParseStatus.Command)
        {
            kinds.Add(command.Kind);
            sequence = sequence.Slice(consumed);
        }

        Assert.Equal([CommandKind.Nop, CommandKind.Pub, CommandKind.Nop], kinds);
        Assert.True(sequence.IsEmpty);
    }

    [Fact]
    public void Surplus_parameters_are_ignored()
    {
        var outcome = ParseEverySplit(Wire.Bytes("SUB t c extra more\n"));

        Assert.Equal(("t", "c"), (outcome.Topic, outcome.Channel));
    }

    [Fact]
    public void Line_of_16_KiB_including_newline_is_parsed()
    {
        var line = Wire.Bytes("NOP ", new string('x', ProtocolV2Parser.MaxLineLength - 5), "\n");
        Assert.Equal(ProtocolV2Parser.MaxLineLength, line.Length);

        Assert.Equal(CommandKind.Nop, Parse(line).Kind);
        Assert.Equal(CommandKind.Nop, Parse(TestSequenceSegment.SplitAt(line, 3), ConnectionState.Init).Kind);
        Assert.Equal(CommandKind.Nop, Parse(TestSequenceSegment.SplitAt(line, line.Length - 1), ConnectionState.Init).Kind);
    }

    [Fact]
    public void Line_of_16_KiB_without_newline_closes_silently()
    {
        var line = Wire.Bytes("NOP ", new string('x', ProtocolV2Parser.MaxLineLength - 4));

        Assert.Equal(new ParseOutcome(ParseStatus.CloseSilently, 0), Parse(line));
        Assert.Equal(ParseStatus.CloseSilently, Parse(TestSequenceSegment.SplitAt(line, 100), ConnectionState.Init).Status);
        Assert.Equal(ParseStatus.CloseSilently, Parse(TestSequenceSegment.SplitAt(line, line.Length - 1), ConnectionState.Init).Status);
    }

    [Fact]
    public void Line_whose_newline_is_byte_16385_closes_silently()
    {
        var line = Wire.Bytes("NOP ", new string('x', ProtocolV2Parser.MaxLineLength - 4), "\n");

        Assert.Equal(ParseStatus.CloseSilently, Parse(line).Status);
        Assert.Equal(ParseStatus.CloseSilently, Parse(TestSequenceSegment.SplitAt(line, 8000), ConnectionState.Init).Status);
    }

    [Fact]
    public void Line_just_under_16_KiB_without_newline_needs_more_data()
    {
        var line = Wire.Bytes(new string('x', ProtocolV2Parser.MaxLineLength - 1));

        Assert.Equal(ParseStatus.NeedMoreData, Parse(line).Status);
        Assert.Equal(ParseStatus.NeedMoreData, Parse(TestSequenceSegment.SplitAt(line, 10), ConnectionState.Init).Status);
    }

    [Fact]
    public void Input_that_starts_inside_an_array_is_parsed_from_its_start()
    {
        var array = Wire.Bytes("junkSUB t c\n");
        var sequence = new ReadOnlySequence<byte>(array, 4, array.Length - 4);

        var outcome = Parse(sequence, ConnectionState.Init);

        Assert.Equal((CommandKind.Sub, "t", "c", 8L), (outcome.Kind, outcome.Topic, outcome.Channel, outcome.Consumed));
    }
}
