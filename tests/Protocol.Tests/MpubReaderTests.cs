using System.Buffers;
using OrleansNsq.Protocol;

namespace OrleansNsq.Protocol.Tests;

public class MpubReaderTests
{
    [Fact]
    public void Reader_yields_each_part_then_stops()
    {
        var body = Wire.Bytes(Wire.Body("first"), Wire.Body("2"));
        for (var offset = 0; offset <= body.Length; offset++)
        {
            var reader = new MpubReader(TestSequenceSegment.SplitAt(body, offset));

            Assert.True(reader.TryNext(out var first));
            Assert.Equal("first", Wire.Text(first.ToArray()));
            Assert.True(reader.TryNext(out var second));
            Assert.Equal("2", Wire.Text(second.ToArray()));
            Assert.False(reader.TryNext(out _));
        }
    }

    [Fact]
    public void Reader_of_an_empty_body_yields_nothing()
    {
        Assert.False(new MpubReader(default).TryNext(out _));
    }
}
