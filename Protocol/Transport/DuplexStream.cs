using System.IO.Pipelines;

namespace OrleansNsq.Protocol.Transport;

/// <summary>
/// One <see cref="Stream"/> that reads from one stream and writes to another: a connection as the layers NSQ negotiates
/// after IDENTIFY (TLS, snappy, deflate) take it. The reading side may be a buffered reader that already holds bytes the
/// peer sent through the new layer (a compressed <c>OK</c> follows the IDENTIFY answer without waiting), so nothing
/// read ahead is lost. Disposing disposes both.
/// </summary>
public sealed class DuplexStream(Stream reading, Stream writing) : Stream
{
    private int _disposed;

    /// <summary>A connection's two pipes as one stream; disposing completes them.</summary>
    public static DuplexStream Over(PipeReader input, PipeWriter output) => new(input.AsStream(), output.AsStream());

    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => reading.Read(buffer, offset, count);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        reading.ReadAsync(buffer, offset, count, cancellationToken);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        reading.ReadAsync(buffer, cancellationToken);

    public override void Write(byte[] buffer, int offset, int count) => writing.Write(buffer, offset, count);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        writing.WriteAsync(buffer, offset, count, cancellationToken);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        writing.WriteAsync(buffer, cancellationToken);

    public override void Flush() => writing.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => writing.FlushAsync(cancellationToken);

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            reading.Dispose();
            writing.Dispose();
        }
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await reading.DisposeAsync().ConfigureAwait(false);
            await writing.DisposeAsync().ConfigureAwait(false);
        }
        await base.DisposeAsync().ConfigureAwait(false);
    }
}
