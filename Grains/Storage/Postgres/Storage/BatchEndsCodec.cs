using System.Buffers.Binary;

namespace OrleansNsq.Grains.Storage.Postgres;

/// <summary>A batch's body end offsets (<see cref="Log.LogWrite.AppendBatch.Ends"/>) as the <c>ends</c> blob: int32
/// little-endian each, 4 bytes per message.</summary>
internal static class BatchEndsCodec
{
    public static byte[] Encode(ReadOnlySpan<int> ends)
    {
        var bytes = new byte[ends.Length * sizeof(int)];
        for (var i = 0; i < ends.Length; i++)
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(i * sizeof(int)), ends[i]);
        return bytes;
    }

    public static int[] Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length % sizeof(int) != 0)
            throw new InvalidDataException($"an ends blob of {bytes.Length} bytes is not a multiple of {sizeof(int)}");
        var ends = new int[bytes.Length / sizeof(int)];
        for (var i = 0; i < ends.Length; i++)
            ends[i] = BinaryPrimitives.ReadInt32LittleEndian(bytes[(i * sizeof(int))..]);
        return ends;
    }
}
