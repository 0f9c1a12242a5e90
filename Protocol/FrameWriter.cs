using System.Buffers;
using System.Buffers.Binary;

namespace OrleansNsq.Protocol;

/// <summary>
/// Writes server frames <c>[u32 size][u32 frame type][data]</c> (size = 4 + len(data)) straight into the output,
/// without allocating (internal/protocol/protocol.go SendFramedResponse, nsqd/message.go WriteTo).
/// </summary>
public static class FrameWriter
{
    private const int HeaderSize = 8;

    /// <summary>[i64 timestamp][u16 attempts][16-byte id] before a message body.</summary>
    private const int MessageHeaderSize = 8 + 2 + MessageId.Length;

    /// <summary>Response <c>OK</c>: [0,0,0,6][0,0,0,0]"OK".</summary>
    public static ReadOnlySpan<byte> OkFrame => [0, 0, 0, 6, 0, 0, 0, 0, (byte)'O', (byte)'K'];

    /// <summary>Response <c>_heartbeat_</c> (11 bytes of data).</summary>
    public static ReadOnlySpan<byte> HeartbeatFrame =>
        [0, 0, 0, 15, 0, 0, 0, 0, (byte)'_', (byte)'h', (byte)'e', (byte)'a', (byte)'r', (byte)'t', (byte)'b', (byte)'e', (byte)'a', (byte)'t', (byte)'_'];

    /// <summary>Response <c>CLOSE_WAIT</c>, the reply to CLS.</summary>
    public static ReadOnlySpan<byte> CloseWaitFrame =>
        [0, 0, 0, 14, 0, 0, 0, 0, (byte)'C', (byte)'L', (byte)'O', (byte)'S', (byte)'E', (byte)'_', (byte)'W', (byte)'A', (byte)'I', (byte)'T'];

    /// <summary>A response frame (type 0), e.g. the IDENTIFY or AUTH JSON.</summary>
    public static void WriteResponse(IBufferWriter<byte> output, ReadOnlySpan<byte> data)
    {
        var header = output.GetSpan(HeaderSize);
        BinaryPrimitives.WriteUInt32BigEndian(header, (uint)(4 + data.Length));
        BinaryPrimitives.WriteUInt32BigEndian(header[4..], (uint)FrameType.Response);
        output.Advance(HeaderSize);
        output.Write(data);
    }

    /// <summary>An error frame (type 1); the frame is prebuilt in <paramref name="error"/>.</summary>
    public static void WriteError(IBufferWriter<byte> output, NsqError error) => output.Write(error.Frame.Span);

    /// <summary>
    /// A message frame (type 2): [u32 size][u32 2][i64 timestamp ns][u16 attempts][16 lowercase hex of id][body].
    /// </summary>
    public static void WriteMessage(IBufferWriter<byte> output, long timestampNs, ushort attempts, long id, ReadOnlySpan<byte> body)
    {
        WriteMessageHeader(output, timestampNs, attempts, id, body.Length);
        output.Write(body);
    }

    /// <inheritdoc cref="WriteMessage(IBufferWriter{byte}, long, ushort, long, ReadOnlySpan{byte})"/>
    public static void WriteMessage(IBufferWriter<byte> output, long timestampNs, ushort attempts, long id, in ReadOnlySequence<byte> body)
    {
        WriteMessageHeader(output, timestampNs, attempts, id, checked((int)body.Length));
        foreach (var segment in body)
        {
            output.Write(segment.Span);
        }
    }

    /// <summary>Bytes a message frame takes on the wire, size word included: 34 + body.</summary>
    public static int MessageFrameSize(int bodyLength) => HeaderSize + MessageHeaderSize + bodyLength;

    private static void WriteMessageHeader(IBufferWriter<byte> output, long timestampNs, ushort attempts, long id, int bodyLength)
    {
        const int size = HeaderSize + MessageHeaderSize;
        var header = output.GetSpan(size);
        BinaryPrimitives.WriteUInt32BigEndian(header, (uint)(4 + MessageHeaderSize + bodyLength));
        BinaryPrimitives.WriteUInt32BigEndian(header[4..], (uint)FrameType.Message);
        BinaryPrimitives.WriteInt64BigEndian(header[8..], timestampNs);
        BinaryPrimitives.WriteUInt16BigEndian(header[16..], attempts);
        MessageId.Format(id, header.Slice(18, MessageId.Length));
        output.Advance(size);
    }
}
