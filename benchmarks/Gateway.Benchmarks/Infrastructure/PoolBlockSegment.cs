using System.Buffers;

namespace OrleansNsq.Gateway.Benchmarks.Infrastructure;

/// <summary>
/// Cuts wire bytes into the multi-segment sequence a pipe would hand the parser: Kestrel's memory pool gives 4 KiB
/// blocks, so a read of more than one block arrives as a chain of them. An input shorter than two blocks is cut in
/// half so that it still spans two segments (a command split across reads).
/// </summary>
internal sealed class PoolBlockSegment : ReadOnlySequenceSegment<byte>
{
    /// <summary>Kestrel's PinnedBlockMemoryPool block size.</summary>
    public const int BlockSize = 4096;

    private PoolBlockSegment(ReadOnlyMemory<byte> memory, long runningIndex)
    {
        Memory = memory;
        RunningIndex = runningIndex;
    }

    public static ReadOnlySequence<byte> Split(byte[] bytes)
    {
        var blockSize = bytes.Length < 2 * BlockSize ? (bytes.Length + 1) / 2 : BlockSize;
        var first = new PoolBlockSegment(bytes.AsMemory(0, Math.Min(blockSize, bytes.Length)), 0);
        var last = first;
        for (var at = blockSize; at < bytes.Length; at += blockSize)
        {
            var next = new PoolBlockSegment(bytes.AsMemory(at, Math.Min(blockSize, bytes.Length - at)), at);
            last.Next = next;
            last = next;
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }
}
