using System.Buffers;

namespace OrleansNsq.Gateway.Benchmarks.Infrastructure;

/// <summary>
/// An output that keeps nothing (Kestrel's NullPipeWriter): every GetSpan returns the same scratch block, so a
/// benchmark measures the writer's own work without the cost of growing or copying into a real buffer.
/// </summary>
public sealed class NullBufferWriter : IBufferWriter<byte>
{
    private byte[] _scratch = new byte[PoolBlockSegment.BlockSize];

    public long Written { get; private set; }

    public void Advance(int count) => Written += count;

    public Memory<byte> GetMemory(int sizeHint = 0) => Scratch(sizeHint);

    public Span<byte> GetSpan(int sizeHint = 0) => Scratch(sizeHint);

    private byte[] Scratch(int sizeHint)
    {
        if (sizeHint > _scratch.Length)
        {
            _scratch = new byte[sizeHint];
        }

        return _scratch;
    }
}
