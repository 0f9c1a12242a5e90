using OrleansNsq.Protocol;

namespace OrleansNsq.Protocol.Tests;

// Go's %q (strconv.Quote), used for names in E_BAD_TOPIC / E_BAD_CHANNEL / E_UNAUTHORIZED texts.
public class GoQuoteTests
{
    [Theory]
    [InlineData("", "\"\"")]
    [InlineData("topic", "\"topic\"")]
    [InlineData("a b!", "\"a b!\"")]
    [InlineData("say \"hi\"", "\"say \\\"hi\\\"\"")]
    [InlineData("back\\slash", "\"back\\\\slash\"")]
    [InlineData("\a\b\f\n\r\t\v", "\"\\a\\b\\f\\n\\r\\t\\v\"")]
    [InlineData("\0\x01\x1f\x7f", "\"\\x00\\x01\\x1f\\x7f\"")]
    public void Ascii_is_escaped_as_go_does(string raw, string quoted)
    {
        Assert.Equal(quoted, GoQuote.Quote(Wire.Bytes(raw)));
    }

    [Fact]
    public void Printable_unicode_stays_as_is()
    {
        Assert.Equal("\"héllo 世界 😀\"", GoQuote.Quote("héllo 世界 😀"u8));
    }

    [Fact]
    public void Non_printable_unicode_is_escaped_with_u()
    {
        // U+00A0 no-break space, U+200B zero width space (format), U+E000 private use, U+E0001 language tag.
        Assert.Equal("\"\\u00a0\\u200b\\ue000\\U000e0001\"", GoQuote.Quote("\u00a0\u200b\ue000\U000E0001"u8));
    }

    [Fact]
    public void Invalid_utf8_is_escaped_byte_by_byte()
    {
        Assert.Equal("\"\\xff\\xfe\\xe4\\xb8a\"", GoQuote.Quote(new byte[] { 0xff, 0xfe, 0xe4, 0xb8, (byte)'a' }));
    }

    [Fact]
    public void Encoded_surrogate_is_invalid_utf8()
    {
        Assert.Equal("\"\\xed\\xa0\\x80\"", GoQuote.Quote(new byte[] { 0xed, 0xa0, 0x80 }));
    }
}
