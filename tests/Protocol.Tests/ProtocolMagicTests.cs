using System.Buffers;
using OrleansNsq.Protocol;

namespace OrleansNsq.Protocol.Tests;

// nsqd 1.3.0: nsqd/tcp.go, the magic: "  V2", possibly split or together with the first commands.
public class ProtocolMagicTests
{
    [Fact]
    public void V2_magic_is_ok_and_consumes_4_bytes()
    {
        var input = Wire.Bytes("  V2NOP\n");
        for (var offset = 0; offset <= input.Length; offset++)
        {
            var buffer = TestSequenceSegment.SplitAt(input, offset);

            Assert.Equal(MagicStatus.Ok, ProtocolMagic.Check(buffer, out var consumed));
            Assert.Equal(4, buffer.Slice(buffer.Start, consumed).Length);
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("  V")]
    public void Fewer_than_4_bytes_need_more_data(string input)
    {
        var buffer = new ReadOnlySequence<byte>(Wire.Bytes(input));

        Assert.Equal(MagicStatus.NeedMoreData, ProtocolMagic.Check(buffer, out var consumed));
        Assert.Equal(buffer.Start, consumed);
    }

    [Theory]
    [InlineData("  V1")]
    [InlineData("  v2")]
    [InlineData("GET ")]
    [InlineData("V2  ")]
    public void Other_magic_is_bad(string input)
    {
        Assert.Equal(MagicStatus.Bad, ProtocolMagic.Check(TestSequenceSegment.ByteByByte(Wire.Bytes(input)), out _));
    }
}
