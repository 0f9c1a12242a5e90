using System.Buffers;
using System.Buffers.Binary;

namespace OrleansNsq.Protocol;

/// <summary>
/// The client's side of server frames <c>[u32 size][u32 frame type][data]</c> (size = 4 + len(data)), and of the
/// message frame's data <c>[i64 timestamp ns][u16 attempts][16-byte id][body]</c>.
/// </summary>
public static class FrameReader
{
    /// <summary>The size and type words.</summary>
    public const int HeaderSize = 8;

    /// <summary>Timestamp, attempts and id before a message body.</summary>
    public const int MessageHeaderSize = 8 + 2 + MessageId.Length;

    /// <summary>The data of a <c>_heartbeat_</c> response: the client answers it with NOP.</summary>
    public static ReadOnlySpan<byte> Heartbeat => "_heartbeat_"u8;

    /// <summary>
    /// Reads the header: false when the size word is below 4 (no room for the type) or the data would exceed
    /// <paramref name="maxDataSize"/> (a broken or hostile stream: close the connection).
    /// </summary>
    public static bool TryReadHeader(ReadOnlySpan<byte> header, int maxDataSize, out int dataSize, out FrameType type)
    {
        var size = BinaryPrimitives.ReadInt32BigEndian(header);
        type = (FrameType)BinaryPrimitives.ReadInt32BigEndian(header[4..]);
        dataSize = size - 4;
        return size >= 4 && dataSize <= maxDataSize;
    }

    /// <summary>
    /// Takes one whole frame from the front of <paramref name="buffer"/>: NeedMoreData until all of it is in, Invalid for
    /// a size word <see cref="TryReadHeader"/> refuses.
    /// </summary>
    public static FrameReadStatus TryRead(ref ReadOnlySequence<byte> buffer, int maxDataSize, out FrameType type, out ReadOnlySequence<byte> data)
    {
        data = default;
        type = default;
        if (buffer.Length < HeaderSize) return FrameReadStatus.NeedMoreData;
        Span<byte> header = stackalloc byte[HeaderSize];
        buffer.Slice(0, HeaderSize).CopyTo(header);
        if (!TryReadHeader(header, maxDataSize, out var dataSize, out type)) return FrameReadStatus.Invalid;
        if (buffer.Length < HeaderSize + dataSize) return FrameReadStatus.NeedMoreData;
        data = buffer.Slice(HeaderSize, dataSize);
        buffer = buffer.Slice(data.End);
        return FrameReadStatus.Frame;
    }

    /// <summary>Splits a message frame's data; false when it is shorter than the message header.</summary>
    public static bool TryReadMessage(ReadOnlySpan<byte> data, out long timestampNs, out ushort attempts, out ReadOnlySpan<byte> id, out ReadOnlySpan<byte> body)
    {
        if (data.Length < MessageHeaderSize)
        {
            (timestampNs, attempts) = (0, 0);
            id = body = default;
            return false;
        }
        timestampNs = BinaryPrimitives.ReadInt64BigEndian(data);
        attempts = BinaryPrimitives.ReadUInt16BigEndian(data[8..]);
        id = data.Slice(10, MessageId.Length);
        body = data[MessageHeaderSize..];
        return true;
    }
}
