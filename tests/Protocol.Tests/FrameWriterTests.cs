using System.Buffers;
using OrleansNsq.Protocol;

namespace OrleansNsq.Protocol.Tests;

// nsqd 1.3.0: nsqd/protocol_v2.go, nsqd/message.go: [u32 size][u32 frame type][data], size = 4 + len(data).
public class FrameWriterTests
{
    [Fact]
    public void Ok_frame_is_size_6_type_0_OK()
    {
        Assert.Equal(new byte[] { 0, 0, 0, 6, 0, 0, 0, 0, (byte)'O', (byte)'K' }, FrameWriter.OkFrame.ToArray());
    }

    [Fact]
    public void Heartbeat_frame_is_a_response_with_heartbeat_text()
    {
        Assert.Equal(Wire.Bytes(15, 0, "_heartbeat_"), FrameWriter.HeartbeatFrame.ToArray());
    }

    [Fact]
    public void Close_wait_frame_is_a_response_with_CLOSE_WAIT()
    {
        Assert.Equal(Wire.Bytes(14, 0, "CLOSE_WAIT"), FrameWriter.CloseWaitFrame.ToArray());
    }

    [Fact]
    public void Response_frame_wraps_the_data()
    {
        var output = new ArrayBufferWriter<byte>();

        FrameWriter.WriteResponse(output, "{\"a\":1}"u8);

        Assert.Equal(Wire.Bytes(11, 0, "{\"a\":1}"), output.WrittenSpan.ToArray());
    }

    [Fact]
    public void Response_frame_of_OK_equals_the_precomputed_frame()
    {
        var output = new ArrayBufferWriter<byte>();

        FrameWriter.WriteResponse(output, "OK"u8);

        Assert.Equal(FrameWriter.OkFrame.ToArray(), output.WrittenSpan.ToArray());
    }

    [Fact]
    public void Error_frame_is_type_1_with_code_space_description()
    {
        var output = new ArrayBufferWriter<byte>();

        FrameWriter.WriteError(output, NsqError.InvalidMessageId);

        Assert.Equal(Wire.Bytes(4 + 28, 1, "E_INVALID invalid message ID"), output.WrittenSpan.ToArray());
    }

    [Fact]
    public void Bad_protocol_frame_is_the_bare_code()
    {
        var output = new ArrayBufferWriter<byte>();

        FrameWriter.WriteError(output, NsqError.BadProtocol);

        Assert.Equal(Wire.Bytes(18, 1, "E_BAD_PROTOCOL"), output.WrittenSpan.ToArray());
    }

    [Fact]
    public void Message_frame_is_timestamp_attempts_hex_id_body()
    {
        var output = new ArrayBufferWriter<byte>();

        FrameWriter.WriteMessage(output, timestampNs: 0x0102030405060708, attempts: 3, id: 0x0a1b2c3d4e5f6789, "body"u8);

        var expected = Wire.Bytes(
            4 + 8 + 2 + 16 + 4,
            2,
            new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 },
            new byte[] { 0, 3 },
            "0a1b2c3d4e5f6789",
            "body");
        Assert.Equal(expected, output.WrittenSpan.ToArray());
    }

    [Fact]
    public void Message_frame_size_is_34_plus_body()
    {
        var output = new ArrayBufferWriter<byte>();
        FrameWriter.WriteMessage(output, 1, 1, 1, new byte[1000]);

        Assert.Equal(1034, FrameWriter.MessageFrameSize(1000));
        Assert.Equal(FrameWriter.MessageFrameSize(1000), output.WrittenCount);
    }

    [Fact]
    public void Message_frame_from_a_multi_segment_body_equals_the_contiguous_one()
    {
        var body = Wire.Bytes("split across segments");
        var contiguous = new ArrayBufferWriter<byte>();
        var segmented = new ArrayBufferWriter<byte>();

        FrameWriter.WriteMessage(contiguous, 42, 1, 7, body);
        FrameWriter.WriteMessage(segmented, 42, 1, 7, TestSequenceSegment.ByteByByte(body));

        Assert.Equal(contiguous.WrittenSpan.ToArray(), segmented.WrittenSpan.ToArray());
    }

    [Fact]
    public void Message_frame_of_a_negative_id_is_its_twos_complement_hex()
    {
        var output = new ArrayBufferWriter<byte>();

        FrameWriter.WriteMessage(output, 0, 0, -1, "x"u8);

        Assert.Equal("ffffffffffffffff", Wire.Text(output.WrittenSpan.Slice(18, 16)));
    }
}
