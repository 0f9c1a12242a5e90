using System.Buffers;

namespace OrleansNsq.Tests.Bytes;

/// <summary>Builds multi-segment sequences so parsers meet every awkward split (as Bedrock's tests do).</summary>
internal sealed class TestSequenceSegment : ReadOnlySequenceSegment<byte>
{
    private TestSequenceSegment(ReadOnlyMemory<byte> memory, long runningIndex)
    {
        Memory = memory;
        RunningIndex = runningIndex;
    }

    /// <summary>One sequence whose segments are the given chunks, in order (empty chunks allowed).</summary>
    public static ReadOnlySequence<byte> Create(params ReadOnlyMemory<byte>[] chunks)
    {
        if (chunks.Length == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        var first = new TestSequenceSegment(chunks[0], 0);
        var last = first;
        for (var i = 1; i < chunks.Length; i++)
        {
            var next = new TestSequenceSegment(chunks[i], last.RunningIndex + last.Memory.Length);
            last.Next = next;
            last = next;
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    /// <summary>Two segments, split at <paramref name="offset"/>; each segment gets its own array.</summary>
    public static ReadOnlySequence<byte> SplitAt(byte[] bytes, int offset) =>
        Create(bytes[..offset].AsMemory(), bytes[offset..].AsMemory());

    /// <summary>One segment per byte.</summary>
    public static ReadOnlySequence<byte> ByteByByte(byte[] bytes) =>
        Create(bytes.Select(b => (ReadOnlyMemory<byte>)new[] { b }).ToArray());
}
