using OrleansNsq.Protocol;

namespace OrleansNsq.Protocol.Tests;

// nsqd 1.3.0: nsqd/protocol_v2.go, nsqd/message.go: id = 16 ASCII bytes, lowercase hex of a 64-bit big-endian integer.
public class MessageIdTests
{
    [Theory]
    [InlineData(0L, "0000000000000000")]
    [InlineData(1L, "0000000000000001")]
    [InlineData(0x0123456789abcdefL, "0123456789abcdef")]
    [InlineData(long.MaxValue, "7fffffffffffffff")]
    [InlineData(long.MinValue, "8000000000000000")]
    [InlineData(-2L, "fffffffffffffffe")]
    public void Id_formats_as_16_lowercase_hex_and_parses_back(long id, string hex)
    {
        Span<byte> buffer = stackalloc byte[16];
        MessageId.Format(id, buffer);

        Assert.Equal(hex, Wire.Text(buffer));
        Assert.Equal(hex, MessageId.ToString(id));
        Assert.True(MessageId.TryParse(Wire.Bytes(hex), out var parsed));
        Assert.Equal(id, parsed);
    }

    [Theory]
    [InlineData("0123456789ABCDEF")]
    [InlineData("0123456789abcdeg")]
    [InlineData("0123456789abcde")]
    [InlineData("0123456789abcdef0")]
    [InlineData(" 123456789abcdef")]
    [InlineData("")]
    public void Id_that_nsqd_would_never_send_does_not_parse(string hex)
    {
        Assert.False(MessageId.TryParse(Wire.Bytes(hex), out _));
    }

    [Fact]
    public void Every_byte_value_parses_only_as_a_lowercase_hex_digit_in_every_position()
    {
        var hex = "0123456789abcdef"u8;
        var id = new byte[16];
        for (var position = 0; position < 16; position++)
            for (var b = 0; b < 256; b++)
            {
                id.AsSpan().Fill((byte)'0');
                id[position] = (byte)b;
                var digit = hex.IndexOf((byte)b);

                Assert.Equal(digit >= 0, MessageId.TryParse(id, out var parsed));
                if (digit >= 0) Assert.Equal((long)digit << (4 * (15 - position)), parsed);
            }
    }

    [Fact]
    public void Format_refuses_a_short_destination()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => MessageId.Format(1, new byte[15]));
    }
}
