using System.IO.Compression;
using Snappier;

namespace OrleansNsq.Protocol.Transport;

/// <summary>
/// The compressed layers NSQ negotiates in IDENTIFY, over the connection as it is (plain, or TLS after its upgrade):
/// snappy's framing format, or raw deflate at a level from 1 to 9. Each side reads through one stream and writes through
/// another; a flush of the writing stream ends the compressed data written so far (deflate's sync flush, a snappy
/// chunk), so the peer can read it: one flush per batch of frames, as nsqd flushes its buffered writer.
/// </summary>
public sealed class CompressionLayer : IAsyncDisposable, IDisposable
{
    private readonly Stream _below;

    private CompressionLayer(Stream below, Stream reading, Stream writing)
    {
        _below = below;
        Reading = reading;
        Writing = writing;
    }

    /// <summary>Decompresses what the peer sent.</summary>
    public Stream Reading { get; }

    /// <summary>Compresses what is sent; flush it to send.</summary>
    public Stream Writing { get; }

    public static CompressionLayer Snappy(Stream below) => new(below,
        new SnappyStream(below, CompressionMode.Decompress, leaveOpen: true),
        new SnappyStream(below, CompressionMode.Compress, leaveOpen: true));

    /// <param name="below">The connection as it is (plain, or TLS).</param>
    /// <param name="level">1 (fastest) to 9 (smallest), as negotiated.</param>
    public static CompressionLayer Deflate(Stream below, int level) => new(below,
        new DeflateStream(below, CompressionMode.Decompress, leaveOpen: true),
        new DeflateStream(below, new ZLibCompressionOptions { CompressionLevel = Math.Clamp(level, 1, 9) }, leaveOpen: true));

    /// <summary>Ends both streams and the layer below (on a connection that may be broken already: nothing throws).</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var stream in new[] { Writing, Reading, _below })
        {
            try
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
            {
                // the peer is gone; what was not sent cannot be
            }
        }
    }

    /// <summary>As <see cref="DisposeAsync"/>, for a caller that cannot await.</summary>
    public void Dispose()
    {
        foreach (var stream in new[] { Writing, Reading, _below })
        {
            try
            {
                stream.Dispose();
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
            {
                // the peer is gone; what was not sent cannot be
            }
        }
    }
}
