using System.Buffers;
using System.Buffers.Binary;

namespace OrleansNsq.Protocol;

/// <summary>
/// Walks the <see cref="V2Command.Body"/> of an MPUB command: count × <c>[i32 size][size bytes]</c>. The parser has
/// validated every part, so this only slices.
/// </summary>
public struct MpubReader
{
    private ReadOnlySequence<byte> _remaining;

    public MpubReader(ReadOnlySequence<byte> body) => _remaining = body;

    /// <summary>The next part's body, or false when all parts have been read.</summary>
    public bool TryNext(out ReadOnlySequence<byte> messageBody)
    {
        if (_remaining.Length < 4)
        {
            messageBody = default;
            return false;
        }

        int size;
        var first = _remaining.FirstSpan;
        if (first.Length >= 4)
        {
            size = BinaryPrimitives.ReadInt32BigEndian(first);
        }
        else
        {
            Span<byte> word = stackalloc byte[4];
            _remaining.Slice(0, 4).CopyTo(word);
            size = BinaryPrimitives.ReadInt32BigEndian(word);
        }

        if (size < 0 || _remaining.Length - 4 < size)
        {
            messageBody = default;
            return false;
        }

        messageBody = _remaining.Slice(4, size);
        _remaining = _remaining.Slice(messageBody.End);
        return true;
    }
}
