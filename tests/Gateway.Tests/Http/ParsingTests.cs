using System.Buffers.Binary;
using System.Text;
using OrleansNsq.Gateway.Http;

using OrleansNsq.Protocol;

namespace OrleansNsq.Gateway.Tests.Http;

/// <summary>The pure pieces: Go-style query parsing, NSQ names, Go durations, /mpub bodies.</summary>
public sealed class ParsingTests
{
    [Theory]
    [InlineData("?topic=a&topic=b", "a")]
    [InlineData("topic=a+b", "a b")]
    [InlineData("topic=a%2Eb", "a.b")]
    [InlineData("&&topic=x&", "x")]
    [InlineData("topic", "")]
    [InlineData("topic=", "")]
    public void Query_takes_the_first_value_and_unescapes_like_Go(string query, string expected)
    {
        var parsed = QueryParams.Parse(query);
        Assert.True(parsed.IsValid);
        Assert.True(parsed.TryGet("topic", out var value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("topic=a%zz")]
    [InlineData("topic=%")]
    [InlineData("topic=a%2")]
    [InlineData("topic=a;b=c")]
    public void Query_with_bad_escape_or_semicolon_is_invalid(string query)
    {
        Assert.False(QueryParams.Parse(query).IsValid);
    }

    [Theory]
    [InlineData("a", true)]
    [InlineData(".", true)]
    [InlineData("..", true)]
    [InlineData("a-b_c.D9", true)]
    [InlineData("a#ephemeral", true)]
    [InlineData("#ephemeral", false)]
    [InlineData("a#ephemeral#ephemeral", false)]
    [InlineData("", false)]
    [InlineData("a b", false)]
    [InlineData("a/b", false)]
    [InlineData("a\n", false)]
    [InlineData("1234567890123456789012345678901234567890123456789012345678901234", true)]
    [InlineData("12345678901234567890123456789012345678901234567890123456789012345", false)]
    [InlineData("123456789012345678901234567890123456789012345678901234#ephemeral", true)]
    [InlineData("1234567890123456789012345678901234567890123456789012345#ephemeral", false)]
    public void Names_follow_nsq_rule(string name, bool valid)
    {
        Assert.Equal(valid, NsqNames.IsValid(name));
    }

    [Theory]
    [InlineData(0, "0s")]
    [InlineData(500, "500ns")]
    [InlineData(1_500, "1.5µs")]
    [InlineData(150_000_000, "150ms")]
    [InlineData(1_000_000_000, "1s")]
    [InlineData(3_723_500_000_000, "1h2m3.5s")]
    [InlineData(120_000_000_000, "2m0s")]
    public void Durations_print_like_Go(long nanoseconds, string expected)
    {
        Assert.Equal(expected, GoDuration.Format(TimeSpan.FromTicks(nanoseconds / 100)));
    }

    [Fact]
    public void Mpub_text_reaching_the_read_limit_is_BODY_TOO_BIG_unless_an_earlier_line_is_too_big()
    {
        // read limit 11 = max-body-size 10 + 1
        Assert.Same(ApiError.BodyTooBig, MpubBody.TryParseText(Encoding.ASCII.GetBytes("a\nb\nc\nd\nef\n"), 11, 5, out _));
        Assert.Same(ApiError.MsgTooBig, MpubBody.TryParseText(Encoding.ASCII.GetBytes("abcdefgh\nb\n"), 11, 5, out _));
        Assert.Null(MpubBody.TryParseText(Encoding.ASCII.GetBytes("a\nb\nc\nd\ne"), 11, 5, out var batch));
        Assert.Equal(5, batch.Count);
    }

    [Fact]
    public void Mpub_binary_ignores_bytes_after_the_last_part()
    {
        var body = new byte[4 + 4 + 2 + 3];
        BinaryPrimitives.WriteInt32BigEndian(body, 1);
        BinaryPrimitives.WriteInt32BigEndian(body.AsSpan(4), 2);
        body[8] = (byte)'h';
        body[9] = (byte)'i';
        Assert.Null(MpubBody.TryParseBinary(body, truncated: false, 100, 1000, out var batch));
        Assert.Equal("hi", Encoding.ASCII.GetString(batch.Body(0).Span));
    }
}
