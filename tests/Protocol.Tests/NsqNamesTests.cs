using OrleansNsq.Protocol;

namespace OrleansNsq.Protocol.Tests;

// nsqd 1.3.0: internal/protocol/names.go: ^[.a-zA-Z0-9_-]+(#ephemeral)?$, 1…64 bytes including the suffix.
public class NsqNamesTests
{
    [Theory]
    [InlineData("a")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("-_.")]
    [InlineData("Orders_2024-v1.0")]
    [InlineData("t#ephemeral")]
    public void Name_matching_the_pattern_is_valid(string name)
    {
        Assert.True(NsqNames.IsValid(Wire.Bytes(name)));
        Assert.True(NsqNames.IsValid(name));
    }

    [Theory]
    [InlineData("")]
    [InlineData("#ephemeral")]
    [InlineData("t#ephemeral#ephemeral")]
    [InlineData("t#Ephemeral")]
    [InlineData("t#ephemeralx")]
    [InlineData("a b")]
    [InlineData("a/b")]
    [InlineData("a:b")]
    [InlineData("a\n")]
    [InlineData("é")]
    public void Name_outside_the_pattern_is_invalid(string name)
    {
        Assert.False(NsqNames.IsValid(System.Text.Encoding.UTF8.GetBytes(name)));
        Assert.False(NsqNames.IsValid(name));
    }

    [Fact]
    public void Name_of_64_bytes_is_valid_and_65_is_not()
    {
        Assert.True(NsqNames.IsValid(new string('a', 64)));
        Assert.False(NsqNames.IsValid(new string('a', 65)));
    }

    [Fact]
    public void Ephemeral_suffix_counts_toward_the_64_bytes()
    {
        Assert.True(NsqNames.IsValid(new string('a', 54) + "#ephemeral"));
        Assert.False(NsqNames.IsValid(new string('a', 55) + "#ephemeral"));
        Assert.False(NsqNames.IsValid(Wire.Bytes(new string('a', 55) + "#ephemeral")));
    }

    [Fact]
    public void Ephemeral_names_end_with_the_suffix()
    {
        Assert.True(NsqNames.IsEphemeral("t#ephemeral"u8));
        Assert.True(NsqNames.IsEphemeral("t#ephemeral"));
        Assert.False(NsqNames.IsEphemeral("t"u8));
        Assert.False(NsqNames.IsEphemeral("ephemeral"));
    }
}
