namespace OrleansNsq.Protocol.Tests;

/// <summary>Go's time.ParseDuration and Duration.String, as NSQ's flags, config values and /stats text use them.</summary>
public class GoDurationTests
{
    [Theory]
    [InlineData("0", 0)]
    [InlineData("1h0m0s", 3_600_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("250ms", 250)]
    [InlineData("1us", 0.001)]
    [InlineData("1µs", 0.001)]
    [InlineData("2m3.25s", 123_250)]
    [InlineData("-1s", -1_000)]
    [InlineData("+10s", 10_000)]
    [InlineData("00:01:00", 60_000)]
    public void Parses_what_go_parses(string text, double milliseconds)
    {
        Assert.True(GoDuration.TryParse(text, out var value), text);
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("10")]
    [InlineData("s")]
    [InlineData("1x")]
    [InlineData("-")]
    [InlineData("1s2")]
    public void Refuses_what_go_refuses(string text)
    {
        Assert.False(GoDuration.TryParse(text, out _), text);
        var error = Assert.Throws<FormatException>(() => GoDuration.Parse(text));
        Assert.Equal($"time: invalid duration \"{text}\"", error.Message);
    }

    [Theory]
    [InlineData(0, "0s")]
    [InlineData(0.0005, "500ns")]
    [InlineData(0.0015, "1.5µs")]
    [InlineData(150, "150ms")]
    [InlineData(1_500, "1.5s")]
    [InlineData(3_723_500, "1h2m3.5s")]
    [InlineData(60_000, "1m0s")]
    [InlineData(-2_000, "-2s")]
    public void Formats_as_go_prints(double milliseconds, string expected) =>
        Assert.Equal(expected, GoDuration.Format(TimeSpan.FromMilliseconds(milliseconds)));

    [Fact]
    public void Nanoseconds_are_whole_as_in_go_json() =>
        Assert.Equal(60_000_000_000L, GoDuration.Nanoseconds(TimeSpan.FromMinutes(1)));
}
