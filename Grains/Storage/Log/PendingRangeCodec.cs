using System.Buffers.Binary;

namespace OrleansNsq.Grains.Storage.Log;

/// <summary>A cursor's pending ranges as stored: 24 bytes per range (from id, to id, due ms), little-endian.</summary>
public static class PendingRangeCodec
{
    private const int RangeSize = 24;

    public static byte[] Encode(IReadOnlyList<PendingRange> ranges)
    {
        var bytes = new byte[ranges.Count * RangeSize];
        var span = bytes.AsSpan();
        for (var i = 0; i < ranges.Count; i++)
        {
            var at = span[(i * RangeSize)..];
            BinaryPrimitives.WriteInt64LittleEndian(at, ranges[i].FromId);
            BinaryPrimitives.WriteInt64LittleEndian(at[8..], ranges[i].ToId);
            BinaryPrimitives.WriteInt64LittleEndian(at[16..], ranges[i].DueUnixMs);
        }
        return bytes;
    }

    public static PendingRange[] Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length % RangeSize != 0)
            throw new InvalidDataException($"a cursor's pending ranges take {RangeSize} bytes each, found {bytes.Length} bytes");
        var ranges = new PendingRange[bytes.Length / RangeSize];
        for (var i = 0; i < ranges.Length; i++)
        {
            var at = bytes[(i * RangeSize)..];
            ranges[i] = new PendingRange(BinaryPrimitives.ReadInt64LittleEndian(at), BinaryPrimitives.ReadInt64LittleEndian(at[8..]),
                BinaryPrimitives.ReadInt64LittleEndian(at[16..]));
        }
        return ranges;
    }

    /// <summary>Body end offsets as stored: 4 bytes each, little-endian.</summary>
    public static byte[] EncodeEnds(ReadOnlySpan<int> ends)
    {
        var bytes = new byte[ends.Length * 4];
        for (var i = 0; i < ends.Length; i++) BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(i * 4), ends[i]);
        return bytes;
    }

    public static int[] DecodeEnds(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length % 4 != 0) throw new InvalidDataException($"a batch's body ends take 4 bytes each, found {bytes.Length} bytes");
        var ends = new int[bytes.Length / 4];
        for (var i = 0; i < ends.Length; i++) ends[i] = BinaryPrimitives.ReadInt32LittleEndian(bytes[(i * 4)..]);
        return ends;
    }
}
