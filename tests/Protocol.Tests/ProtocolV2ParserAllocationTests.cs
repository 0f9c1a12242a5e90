using System.Buffers;
using OrleansNsq.Protocol;
using static OrleansNsq.Protocol.Tests.ParserDriver;

namespace OrleansNsq.Protocol.Tests;

// The hot path allocates nothing: valid commands, partial input and message frames allocate nothing.
public class ProtocolV2ParserAllocationTests
{
    private static readonly byte[] Commands = Wire.Bytes(
        "PUB topic\n", Wire.Body("body"),
        "MPUB topic\n", 17, 2, Wire.Body("ab"), Wire.Body("cde"),
        "DPUB topic 10\n", Wire.Body("x"),
        "RDY 10\n",
        "FIN 0123456789abcdef\n",
        "REQ 0123456789abcdef 100\n",
        "TOUCH 0123456789abcdef\n",
        "NOP\n");

    private static int ParseAll(in ReadOnlySequence<byte> input)
    {
        var count = 0;
        var buffer = input;
        while (Parser.TryParse(buffer, ConnectionState.Subscribed, out var consumed, out _, out _) == ParseStatus.Command)
        {
            buffer = buffer.Slice(consumed);
            count++;
        }

        return count;
    }

    [Fact]
    public void Parsing_valid_commands_allocates_nothing()
    {
        var single = new ReadOnlySequence<byte>(Commands);
        var parsed = 0;

        Assert.Equal(0, Allocations.AllocatedBy(() => parsed = ParseAll(single)));
        Assert.Equal(8, parsed);
    }

    [Fact]
    public void Parsing_valid_commands_across_segments_allocates_nothing()
    {
        var split = TestSequenceSegment.Create(Commands.AsMemory(0, 7), Commands.AsMemory(7, 30), Commands.AsMemory(37));
        var parsed = 0;

        Assert.Equal(0, Allocations.AllocatedBy(() => parsed = ParseAll(split)));
        Assert.Equal(8, parsed);
    }

    [Fact]
    public void Waiting_for_more_data_allocates_nothing()
    {
        var partial = new ReadOnlySequence<byte>(Wire.Bytes("MPUB t\n", 20, 3, Wire.Body("a"), 5, "ab"));

        Assert.Equal(0, Allocations.AllocatedBy(() => Parser.TryParse(partial, ConnectionState.Init, out _, out _, out _)));
    }

    [Fact]
    public void Writing_frames_allocates_nothing()
    {
        var output = new ArrayBufferWriter<byte>(4096);
        var body = new byte[100];

        Assert.Equal(0, Allocations.AllocatedBy(() =>
        {
            output.ResetWrittenCount();
            FrameWriter.WriteMessage(output, 1, 1, 1, body);
            FrameWriter.WriteError(output, NsqError.InvalidMessageId);
            FrameWriter.WriteResponse(output, "OK"u8);
        }));
    }
}
