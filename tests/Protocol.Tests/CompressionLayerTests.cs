using System.IO.Pipelines;
using OrleansNsq.Protocol.Transport;

namespace OrleansNsq.Protocol.Tests;

/// <summary>
/// The compressed layers between two ends of one connection: what one end writes and flushes, the other reads at once,
/// without waiting for more (a peer sends its next command only after the answer to the last one).
/// </summary>
public class CompressionLayerTests
{
    private static (DuplexStream A, DuplexStream B) Connected()
    {
        var aToB = new Pipe();
        var bToA = new Pipe();
        return (DuplexStream.Over(bToA.Reader, aToB.Writer), DuplexStream.Over(aToB.Reader, bToA.Writer));
    }

    private static CompressionLayer Layer(string kind, Stream below) =>
        kind == "snappy" ? CompressionLayer.Snappy(below) : CompressionLayer.Deflate(below, 6);

    [Theory]
    [InlineData("snappy", false)]
    [InlineData("deflate", false)]
    [InlineData("snappy", true)]
    [InlineData("deflate", true)]
    public async Task A_flushed_write_is_read_whole_by_the_other_end_without_more_data(string kind, bool buffered)
    {
        var (a, b) = Connected();
        await using var server = Layer(kind, a);
        await using var client = Layer(kind, b);
        var frame = "\0\0\0\u0006\0\0\0\0OK"u8.ToArray();

        for (var round = 0; round < 3; round++)
        {
            await server.Writing.WriteAsync(frame);
            await server.Writing.FlushAsync();
            var reading = buffered ? new BufferedStream(client.Reading, 64 * 1024) : client.Reading;
            var read = new byte[frame.Length];
            await reading.ReadExactlyAsync(read).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(frame, read);

            await client.Writing.WriteAsync(frame);
            await client.Writing.FlushAsync();
            var back = new byte[frame.Length];
            await server.Reading.ReadExactlyAsync(back).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(frame, back);
        }
    }
}
