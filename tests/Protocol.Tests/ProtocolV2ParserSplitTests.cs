using OrleansNsq.Protocol;
using static OrleansNsq.Protocol.Tests.ParserDriver;

namespace OrleansNsq.Protocol.Tests;

// Every valid command, whole or split at any byte, parses the same; any proper prefix of it only asks for more data.
public class ProtocolV2ParserSplitTests
{
    private const string Id = "00000000000004d2";

    public static TheoryData<string, byte[], ConnectionState> ValidCommands => new()
    {
        { "IDENTIFY", Wire.Bytes("IDENTIFY\n", Wire.Body("{\"feature_negotiation\":true}")), ConnectionState.Init },
        { "AUTH", Wire.Bytes("AUTH\n", Wire.Body("secret")), ConnectionState.Init },
        { "SUB", Wire.Bytes("SUB topic channel\r\n"), ConnectionState.Init },
        { "PUB", Wire.Bytes("PUB topic\n", Wire.Body("message body")), ConnectionState.Init },
        { "MPUB", Wire.Bytes("MPUB topic\n", 17, 2, Wire.Body("ab"), Wire.Body("cde")), ConnectionState.Subscribed },
        { "DPUB", Wire.Bytes("DPUB topic 250\n", Wire.Body("later")), ConnectionState.Init },
        { "RDY", Wire.Bytes("RDY 32\n"), ConnectionState.Subscribed },
        { "FIN", Wire.Bytes($"FIN {Id}\n"), ConnectionState.Subscribed },
        { "REQ", Wire.Bytes($"REQ {Id} 1000\n"), ConnectionState.Closing },
        { "TOUCH", Wire.Bytes($"TOUCH {Id}\n"), ConnectionState.Subscribed },
        { "CLS", Wire.Bytes("CLS\n"), ConnectionState.Subscribed },
        { "NOP", Wire.Bytes("NOP\n"), ConnectionState.Init },
    };

    [Theory]
    [MemberData(nameof(ValidCommands))]
    public void Valid_command_parses_identically_split_at_every_offset(string verb, byte[] input, ConnectionState state)
    {
        var outcome = ParseEverySplit(input, state);

        Assert.Equal(ParseStatus.Command, outcome.Status);
        Assert.Equal(verb, outcome.Kind.ToString()!.ToUpperInvariant());
        Assert.Equal(input.Length, outcome.Consumed);
    }

    [Theory]
    [MemberData(nameof(ValidCommands))]
    public void Valid_command_followed_by_more_input_consumes_only_itself(string verb, byte[] input, ConnectionState state)
    {
        var outcome = ParseEverySplit([.. input, .. Wire.Bytes("NOP\nPUB")], state);

        Assert.Equal(verb, outcome.Kind.ToString()!.ToUpperInvariant());
        Assert.Equal(input.Length, outcome.Consumed);
    }

    [Theory]
    [MemberData(nameof(ValidCommands))]
    public void Every_proper_prefix_of_a_valid_command_needs_more_data(string verb, byte[] input, ConnectionState state)
    {
        for (var length = 0; length < input.Length; length++)
        {
            var outcome = Parse(TestSequenceSegment.SplitAt(input[..length], length / 2), state);

            Assert.True(outcome == new ParseOutcome(ParseStatus.NeedMoreData, 0), $"{verb} prefix of {length}: {outcome}");
        }
    }

    [Fact]
    public void Id_of_a_parsed_fin_is_the_hex_value()
    {
        Assert.Equal(1234, ParseEverySplit(Wire.Bytes($"FIN {Id}\n"), ConnectionState.Subscribed).MessageId);
    }
}
