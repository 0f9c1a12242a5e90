using OrleansNsq.Protocol;
using static OrleansNsq.Protocol.Tests.ParserDriver;

namespace OrleansNsq.Protocol.Tests;

// nsqd 1.3.0: nsqd/protocol_v2.go: when the client closes mid-command nsqd's io.ReadFull fails; it sends the read error, then closes.
public class ProtocolV2ParserEndOfInputTests
{
    [Fact]
    public void Nothing_left_closes_silently()
    {
        Assert.Null(ErrorAtEnd([]));
    }

    [Fact]
    public void Partial_line_closes_silently()
    {
        Assert.Null(ErrorAtEnd(Wire.Bytes("PUB topic")));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public void Pub_cut_in_the_size_word_is_failed_to_read_message_body_size(int sizeBytes)
    {
        var input = Wire.Bytes("PUB t\n", 5)[..(6 + sizeBytes)];

        Assert.Equal("E_BAD_MESSAGE PUB failed to read message body size", ErrorAtEnd(input));
    }

    [Fact]
    public void Pub_cut_in_the_body_is_failed_to_read_message_body()
    {
        Assert.Equal("E_BAD_MESSAGE PUB failed to read message body", ErrorAtEnd(Wire.Bytes("PUB t\n", 5, "hel")));
    }

    [Fact]
    public void Dpub_cut_short_reports_dpub()
    {
        Assert.Equal("E_BAD_MESSAGE DPUB failed to read message body size", ErrorAtEnd(Wire.Bytes("DPUB t 10\n", "\0")));
        Assert.Equal("E_BAD_MESSAGE DPUB failed to read message body", ErrorAtEnd(Wire.Bytes("DPUB t 10\n", 2, "x")));
    }

    [Fact]
    public void Identify_cut_short_is_E_BAD_BODY()
    {
        Assert.Equal("E_BAD_BODY IDENTIFY failed to read body size", ErrorAtEnd(Wire.Bytes("IDENTIFY\n")));
        Assert.Equal("E_BAD_BODY IDENTIFY failed to read body", ErrorAtEnd(Wire.Bytes("IDENTIFY\n", 10, "{}")));
    }

    [Fact]
    public void Auth_cut_short_is_E_BAD_BODY()
    {
        Assert.Equal("E_BAD_BODY AUTH failed to read body size", ErrorAtEnd(Wire.Bytes("AUTH\n", "\0\0")));
        Assert.Equal("E_BAD_BODY AUTH failed to read body", ErrorAtEnd(Wire.Bytes("AUTH\n", 10, "x")));
    }

    [Fact]
    public void Mpub_cut_in_the_body_size_is_E_BAD_BODY()
    {
        Assert.Equal("E_BAD_BODY MPUB failed to read body size", ErrorAtEnd(Wire.Bytes("MPUB t\n")));
    }

    [Fact]
    public void Mpub_cut_in_the_count_is_E_BAD_BODY()
    {
        Assert.Equal("E_BAD_BODY MPUB failed to read message count", ErrorAtEnd(Wire.Bytes("MPUB t\n", 20, "\0")));
    }

    [Fact]
    public void Mpub_with_fewer_parts_than_its_count_reports_the_missing_index()
    {
        Assert.Equal("E_BAD_MESSAGE MPUB failed to read message(0) body size", ErrorAtEnd(Wire.Bytes("MPUB t\n", 20, 2)));
        Assert.Equal("E_BAD_MESSAGE MPUB failed to read message(1) body size", ErrorAtEnd(Wire.Bytes("MPUB t\n", 20, 2, Wire.Body("a"))));
    }

    [Fact]
    public void Mpub_cut_in_a_part_body_is_failed_to_read_message_body()
    {
        Assert.Equal("E_BAD_MESSAGE MPUB failed to read message body", ErrorAtEnd(Wire.Bytes("MPUB t\n", 20, 2, Wire.Body("a"), 4, "ab")));
    }

    [Fact]
    public void Complete_bad_command_at_the_end_reports_its_own_error()
    {
        Assert.Equal("E_INVALID invalid command nop", ErrorAtEnd(Wire.Bytes("nop\n")));
    }

    [Fact]
    public void Complete_command_at_the_end_is_no_error()
    {
        Assert.Null(ErrorAtEnd(Wire.Bytes("NOP\n")));
    }
}
