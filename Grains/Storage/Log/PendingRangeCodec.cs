using System.Buffers.Binary;

namespace OrleansNsq.Grains.Storage.Log;

/// <summary>
/// A cursor's <see cref="StoredCursor.Pending"/> ranges as one blob, for a store's cursor row: per range
/// <c>FromId</c>, <c>ToId</c>, <c>DueUnixMs</c> as int64 little-endian, <see cref="BytesPerRange"/> bytes, in the
/// list's order. A channel with nothing pending has an empty blob. A range, not an id, is the unit, so a cursor that
/// has a million ready ids left in one run costs 24 bytes, and one requeued message amid them costs 24 more.
/// </summary>
public static class PendingRangeCodec
{
    /// <summary>Three int64 values.</summary>
    public const int BytesPerRange = 24;

    public static int EncodedLength(int rangeCount) => checked(rangeCount * BytesPerRange);

    public static byte[] Encode(IReadOnlyList<PendingRange> ranges)
    {
        var bytes = new byte[EncodedLength(ranges.Count)];
        Encode(ranges, bytes);
        return bytes;
    }

    /// <summary>Writes the ranges into <paramref name="destination"/>, which holds at least
    /// <see cref="EncodedLength"/> bytes.</summary>
    public static void Encode(IReadOnlyList<PendingRange> ranges, Span<byte> destination)
    {
        if (destination.Length < EncodedLength(ranges.Count))
            throw new ArgumentException($"{ranges.Count} pending ranges need {EncodedLength(ranges.Count)} bytes, the destination has {destination.Length}", nameof(destination));
        for (var i = 0; i < ranges.Count; i++)
        {
            var range = ranges[i];
            var slot = destination.Slice(i * BytesPerRange, BytesPerRange);
            BinaryPrimitives.WriteInt64LittleEndian(slot, range.FromId);
            BinaryPrimitives.WriteInt64LittleEndian(slot[8..], range.ToId);
            BinaryPrimitives.WriteInt64LittleEndian(slot[16..], range.DueUnixMs);
        }
    }

    /// <summary>The ranges of a blob <see cref="Encode(IReadOnlyList{PendingRange})"/> wrote. Throws
    /// <see cref="InvalidDataException"/> when its length is not a whole number of ranges (a torn or foreign
    /// value).</summary>
    public static PendingRange[] Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length % BytesPerRange != 0)
            throw new InvalidDataException($"a pending-range blob of {bytes.Length} bytes is not a multiple of {BytesPerRange}");
        var ranges = new PendingRange[bytes.Length / BytesPerRange];
        for (var i = 0; i < ranges.Length; i++)
        {
            var slot = bytes.Slice(i * BytesPerRange, BytesPerRange);
            ranges[i] = new PendingRange(
                BinaryPrimitives.ReadInt64LittleEndian(slot),
                BinaryPrimitives.ReadInt64LittleEndian(slot[8..]),
                BinaryPrimitives.ReadInt64LittleEndian(slot[16..]));
        }
        return ranges;
    }
}
