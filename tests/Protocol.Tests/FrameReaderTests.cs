using System.Text;
using System.Buffers;

namespace OrleansNsq.Protocol.Tests;

/// <summary>The client reads back what the server's frame writer writes, whole or split at any byte.</summary>
public class FrameReaderTests
{
    private static byte[] ServerFrames()
    {
        var output = new ArrayBufferWriter<byte>();
        output.Write(FrameWriter.OkFrame);
        output.Write(FrameWriter.HeartbeatFrame);
        FrameWriter.WriteMessage(output, 1_700_000_000_000_000_000, 3, 0x1234, "body"u8);
        FrameWriter.WriteError(output, NsqError.InvalidMessageId);
        return output.WrittenSpan.ToArray();
    }

    [Fact]
    public void Reads_responses_messages_and_errors_as_the_server_writes_them()
    {
        var input = new ReadOnlySequence<byte>(ServerFrames());
        var frames = new List<(FrameType, string)>();
        while (FrameReader.TryRead(ref input, 1 << 20, out var type, out var data) == FrameReadStatus.Frame)
        {
            frames.Add((type, type == FrameType.Message ? "" : System.Text.Encoding.ASCII.GetString(data)));
            if (type != FrameType.Message) continue;
            Assert.True(FrameReader.TryReadMessage(data.ToArray(), out var timestamp, out var attempts, out var id, out var body));
            Assert.Equal((1_700_000_000_000_000_000, (ushort)3, "0000000000001234", "body"),
                (timestamp, attempts, System.Text.Encoding.ASCII.GetString(id), System.Text.Encoding.ASCII.GetString(body)));
        }
        Assert.Equal([(FrameType.Response, "OK"), (FrameType.Response, "_heartbeat_"), (FrameType.Message, ""),
            (FrameType.Error, "E_INVALID invalid message ID")], frames);
        Assert.Equal(0, input.Length);
    }

    [Fact]
    public void A_frame_split_anywhere_waits_for_the_rest_and_consumes_nothing()
    {
        var bytes = ServerFrames();
        for (var cut = 0; cut < 10; cut++)
        {
            var input = new ReadOnlySequence<byte>(bytes, 0, cut);
            Assert.Equal(FrameReadStatus.NeedMoreData, FrameReader.TryRead(ref input, 1 << 20, out _, out _));
            Assert.Equal(cut, input.Length);
        }
        var split = TestSequenceSegment.SplitAt(bytes, 5);
        Assert.Equal(FrameReadStatus.Frame, FrameReader.TryRead(ref split, 1 << 20, out var type, out var data));
        Assert.Equal((FrameType.Response, "OK"), (type, System.Text.Encoding.ASCII.GetString(data)));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(-1)]
    [InlineData(4 + 1025)]
    public void A_size_word_no_frame_can_have_is_invalid(int size)
    {
        var input = new ReadOnlySequence<byte>(Wire.Bytes(size, 0, new byte[16]));
        Assert.Equal(FrameReadStatus.Invalid, FrameReader.TryRead(ref input, 1024, out _, out _));
    }

    [Fact]
    public void A_message_frame_shorter_than_its_header_is_refused() =>
        Assert.False(FrameReader.TryReadMessage(new byte[FrameReader.MessageHeaderSize - 1], out _, out _, out _, out _));
}
