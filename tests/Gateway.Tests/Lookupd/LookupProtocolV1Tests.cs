using System.Buffers;
using System.Text;
using OrleansNsq.Gateway.Lookupd;

namespace OrleansNsq.Gateway.Tests.Lookupd;

/// <summary>The lookupd codec on bytes split at every offset (Bedrock's TestSequenceSegment).</summary>
public sealed class LookupProtocolV1Tests
{
    private static readonly byte[] Session =
    [
        .. LookupdClient.Identify("""{"broadcast_address":"a","tcp_port":1,"http_port":2,"version":"1.3.0"}"""),
        .. "REGISTER t c\nUNREGISTER t\nPING\n"u8,
    ];

    [Fact]
    public void Commands_split_at_every_offset_parse_as_whole_ones()
    {
        for (var offset = 0; offset <= Session.Length; offset++)
        {
            var commands = ParseAll(TestSequenceSegment.SplitAt(Session, offset));
            Assert.Equal(["Identify", "Register t c", "Unregister t ", "Ping  "], commands);
        }
        Assert.Equal(["Identify", "Register t c", "Unregister t ", "Ping  "], ParseAll(TestSequenceSegment.ByteByByte(Session)));
    }

    [Fact]
    public void A_command_missing_its_end_needs_more_data()
    {
        for (var length = 0; length < 13 + 69; length++)
        {
            var status = LookupProtocolV1.TryParse(new ReadOnlySequence<byte>(Session, 0, length), identified: false, isCompleted: false, out _, out _);
            Assert.True(status == LookupParseStatus.NeedMoreData, $"length {length}: {status}");
        }
    }

    private static List<string> ParseAll(ReadOnlySequence<byte> buffer)
    {
        var commands = new List<string>();
        var identified = false;
        while (LookupProtocolV1.TryParse(buffer, identified, isCompleted: true, out var consumed, out var command) == LookupParseStatus.Command)
        {
            Assert.Null(command!.Error);
            commands.Add(command.Kind == LookupCommandKind.Identify ? "Identify" : $"{command.Kind} {command.Topic} {command.Channel}");
            if (command.Kind == LookupCommandKind.Identify)
            {
                Assert.Equal("""{"broadcast_address":"a","tcp_port":1,"http_port":2,"version":"1.3.0"}""", Encoding.UTF8.GetString(command.Body!));
                identified = true;
            }
            buffer = buffer.Slice(consumed);
        }
        Assert.True(buffer.IsEmpty);
        return commands;
    }
}
