using OrleansNsq.Protocol;
using static OrleansNsq.Protocol.Tests.ParserDriver;

namespace OrleansNsq.Protocol.Tests;

// nsqd 1.3.0: nsqd/protocol_v2.go state table: the state check comes before any parameter is looked at.
public class ProtocolV2ParserStateTests
{
    private const string Id = "0123456789abcdef";

    public static TheoryData<string, ConnectionState, string> RefusedByState => new()
    {
        { "IDENTIFY\n", ConnectionState.Subscribed, "E_INVALID cannot IDENTIFY in current state" },
        { "IDENTIFY\n", ConnectionState.Closing, "E_INVALID cannot IDENTIFY in current state" },
        { "AUTH\n", ConnectionState.Subscribed, "E_INVALID cannot AUTH in current state" },
        { "AUTH x\n", ConnectionState.Closing, "E_INVALID cannot AUTH in current state" },
        { "SUB t c\n", ConnectionState.Subscribed, "E_INVALID cannot SUB in current state" },
        { "SUB\n", ConnectionState.Closing, "E_INVALID cannot SUB in current state" },
        { "RDY 1\n", ConnectionState.Init, "E_INVALID cannot RDY in current state" },
        { "RDY x\n", ConnectionState.Init, "E_INVALID cannot RDY in current state" },
        { $"FIN {Id}\n", ConnectionState.Init, "E_INVALID cannot FIN in current state" },
        { "FIN\n", ConnectionState.Init, "E_INVALID cannot FIN in current state" },
        { $"REQ {Id} 0\n", ConnectionState.Init, "E_INVALID cannot REQ in current state" },
        { $"TOUCH {Id}\n", ConnectionState.Init, "E_INVALID cannot TOUCH in current state" },
        { "CLS\n", ConnectionState.Init, "E_INVALID cannot CLS in current state" },
        { "CLS\n", ConnectionState.Closing, "E_INVALID cannot CLS in current state" },
    };

    [Theory]
    [MemberData(nameof(RefusedByState))]
    public void Command_in_the_wrong_state_is_fatal_E_INVALID(string line, ConnectionState state, string expected)
    {
        AssertFatal(ParseEverySplit(Wire.Bytes(line), state), expected);
    }

    public static TheoryData<string, ConnectionState, CommandKind> AllowedByState => new()
    {
        { "SUB t c\n", ConnectionState.Init, CommandKind.Sub },
        { "RDY 1\n", ConnectionState.Subscribed, CommandKind.Rdy },
        { "RDY 1\n", ConnectionState.Closing, CommandKind.Rdy },
        { $"FIN {Id}\n", ConnectionState.Subscribed, CommandKind.Fin },
        { $"FIN {Id}\n", ConnectionState.Closing, CommandKind.Fin },
        { $"REQ {Id} 0\n", ConnectionState.Subscribed, CommandKind.Req },
        { $"REQ {Id} 0\n", ConnectionState.Closing, CommandKind.Req },
        { $"TOUCH {Id}\n", ConnectionState.Subscribed, CommandKind.Touch },
        { $"TOUCH {Id}\n", ConnectionState.Closing, CommandKind.Touch },
        { "CLS\n", ConnectionState.Subscribed, CommandKind.Cls },
        { "NOP\n", ConnectionState.Closing, CommandKind.Nop },
    };

    [Theory]
    [MemberData(nameof(AllowedByState))]
    public void Command_in_an_allowed_state_parses(string line, ConnectionState state, CommandKind kind)
    {
        Assert.Equal(kind, ParseEverySplit(Wire.Bytes(line), state).Kind);
    }

    [Theory]
    [InlineData(ConnectionState.Init)]
    [InlineData(ConnectionState.Subscribed)]
    [InlineData(ConnectionState.Closing)]
    public void Publish_verbs_have_no_state_check(ConnectionState state)
    {
        Assert.Equal(CommandKind.Pub, ParseEverySplit(Wire.Bytes("PUB t\n", Wire.Body("x")), state).Kind);
        Assert.Equal(CommandKind.Dpub, ParseEverySplit(Wire.Bytes("DPUB t 5\n", Wire.Body("x")), state).Kind);
        Assert.Equal(CommandKind.Mpub, ParseEverySplit(Wire.Bytes("MPUB t\n", 9, 1, Wire.Body("x")), state).Kind);
    }

    [Fact]
    public void Identify_is_allowed_repeatedly_before_sub()
    {
        var input = Wire.Bytes("IDENTIFY\n", Wire.Body("{}"));

        Assert.Equal(CommandKind.Identify, ParseEverySplit(input).Kind);
        Assert.Equal(CommandKind.Identify, ParseEverySplit(input).Kind);
    }

    [Fact]
    public void State_error_is_sent_before_the_body_is_read()
    {
        AssertFatal(Parse(Wire.Bytes("IDENTIFY\n"), ConnectionState.Subscribed), "E_INVALID cannot IDENTIFY in current state");
    }
}
