using OrleansNsq.Protocol;
using static OrleansNsq.Protocol.Tests.ParserDriver;

namespace OrleansNsq.Protocol.Tests;

// nsqd 1.3.0: nsqd/protocol_v2.go IDENTIFY and AUTH rows: body ≤ --max-body-size, "too big" checked before "≤ 0".
public class ProtocolV2ParserSessionTests
{
    [Fact]
    public void Identify_is_a_command_with_the_json_body()
    {
        var input = Wire.Bytes("IDENTIFY\n", Wire.Body("{\"client_id\":\"a\"}"));

        var outcome = ParseEverySplit(input);

        Assert.Equal(new ParseOutcome(ParseStatus.Command, input.Length, CommandKind.Identify, Body: "{\"client_id\":\"a\"}", MessageId: -1), outcome);
    }

    [Fact]
    public void Identify_ignores_parameters()
    {
        Assert.Equal(CommandKind.Identify, ParseEverySplit(Wire.Bytes("IDENTIFY x y\n", Wire.Body("{}"))).Kind);
    }

    [Fact]
    public void Identify_waits_for_size_and_body()
    {
        Assert.Equal(ParseStatus.NeedMoreData, Parse(Wire.Bytes("IDENTIFY\n")).Status);
        Assert.Equal(ParseStatus.NeedMoreData, Parse(Wire.Bytes("IDENTIFY\n", 3, "{}")).Status);
    }

    [Fact]
    public void Identify_body_too_big_is_rejected_before_the_body_arrives()
    {
        AssertFatal(ParseEverySplit(Wire.Bytes("IDENTIFY\n", (int)MaxBodySize + 1)), "E_BAD_BODY IDENTIFY body too big 5242881 > 5242880");
    }

    [Fact]
    public void Identify_with_zero_body_size_is_fatal_E_BAD_BODY()
    {
        AssertFatal(ParseEverySplit(Wire.Bytes("IDENTIFY\n", 0)), "E_BAD_BODY IDENTIFY invalid body size 0");
    }

    [Fact]
    public void Identify_with_negative_body_size_is_fatal_E_BAD_BODY()
    {
        AssertFatal(ParseEverySplit(Wire.Bytes("IDENTIFY\n", int.MinValue)), "E_BAD_BODY IDENTIFY invalid body size -2147483648");
    }

    [Fact]
    public void Identify_too_big_is_checked_before_invalid_size()
    {
        // Only a non-positive limit can tell the order apart: nsqd reports "too big" first.
        var parser = new ProtocolV2Parser(MaxMsgSize, maxBodySize: -10, MaxRdyCount, MaxReqTimeoutMs);

        var outcome = Parse(new System.Buffers.ReadOnlySequence<byte>(Wire.Bytes("IDENTIFY\n", 0)), ConnectionState.Init, parser);

        AssertFatal(outcome, "E_BAD_BODY IDENTIFY body too big 0 > -10");
    }

    [Fact]
    public void Auth_is_a_command_with_the_secret_body()
    {
        var input = Wire.Bytes("AUTH\n", Wire.Body("s3cret"));

        Assert.Equal(new ParseOutcome(ParseStatus.Command, input.Length, CommandKind.Auth, Body: "s3cret", MessageId: -1), ParseEverySplit(input));
    }

    [Fact]
    public void Auth_without_body_waits()
    {
        Assert.Equal(new ParseOutcome(ParseStatus.NeedMoreData, 0), Parse(Wire.Bytes("AUTH\n")));
    }

    [Fact]
    public void Auth_with_a_parameter_is_fatal_before_any_read()
    {
        AssertFatal(ParseEverySplit(Wire.Bytes("AUTH x\n")), "E_INVALID AUTH invalid number of parameters");
    }

    [Fact]
    public void Auth_with_a_trailing_space_has_an_empty_parameter()
    {
        AssertFatal(ParseEverySplit(Wire.Bytes("AUTH \n")), "E_INVALID AUTH invalid number of parameters");
    }

    [Fact]
    public void Auth_body_too_big_is_fatal_E_BAD_BODY()
    {
        AssertFatal(ParseEverySplit(Wire.Bytes("AUTH\n", (int)MaxBodySize + 1)), "E_BAD_BODY AUTH body too big 5242881 > 5242880");
    }

    [Fact]
    public void Auth_with_zero_body_size_is_fatal_E_BAD_BODY()
    {
        AssertFatal(ParseEverySplit(Wire.Bytes("AUTH\n", 0)), "E_BAD_BODY AUTH invalid body size 0");
    }

    // nsqd's enforceTLSPolicy runs on the raw verb before dispatch: nothing of the command after it is read.
    [Theory]
    [InlineData("PUB t\n", "E_INVALID cannot PUB in current state (TLS required)")]
    [InlineData("SUB t c\n", "E_INVALID cannot SUB in current state (TLS required)")]
    [InlineData("NOP\n", "E_INVALID cannot NOP in current state (TLS required)")]
    [InlineData("FOO bar\n", "E_INVALID cannot FOO in current state (TLS required)")]
    [InlineData("AUTH\n", "E_INVALID cannot AUTH in current state (TLS required)")]
    public void With_tls_required_any_verb_but_identify_is_fatal_before_its_arguments_are_read(string line, string error)
    {
        var parser = new ProtocolV2Parser(MaxMsgSize, MaxBodySize, MaxRdyCount, MaxReqTimeoutMs) { TlsRequired = true };

        AssertFatal(Parse(new System.Buffers.ReadOnlySequence<byte>(Wire.Bytes(line)), ConnectionState.Init, parser), error);
    }

    [Fact]
    public void With_tls_required_identify_parses_as_usual()
    {
        var parser = new ProtocolV2Parser(MaxMsgSize, MaxBodySize, MaxRdyCount, MaxReqTimeoutMs) { TlsRequired = true };
        var input = Wire.Bytes("IDENTIFY\n", Wire.Body("{\"tls_v1\":true}"));

        var outcome = Parse(new System.Buffers.ReadOnlySequence<byte>(input), ConnectionState.Init, parser);

        Assert.Equal(ParseStatus.Command, outcome.Status);
        Assert.Equal(CommandKind.Identify, outcome.Kind);
    }
}
