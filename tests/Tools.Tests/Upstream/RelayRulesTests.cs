using System.Text;
using OrleansNsq.Tools.NsqToHttp;
using OrleansNsq.Tools.NsqToNsq;

namespace OrleansNsq.Tools.Tests.Upstream;

/// <summary>The pure rules behind nsq_to_http and nsq_to_nsq, in process: GET escaping, --header parsing, JSON filtering.</summary>
public sealed class RelayRulesTests
{
    [Theory]
    [InlineData("hello world", "hello+world")]
    [InlineData("a-b_c.d~e", "a-b_c.d~e")]
    [InlineData("é/?&=+%", "%C3%A9%2F%3F%26%3D%2B%25")]
    public void Get_body_is_query_escaped_as_go_url_QueryEscape(string body, string escaped) =>
        Assert.Equal("http://h/x?m=" + escaped + "&y", HttpDestination.GetUrl("http://h/x?m=%s&y", Encoding.UTF8.GetBytes(body)));

    [Fact]
    public void Header_is_key_colon_value_trimmed_and_the_last_one_wins()
    {
        var headers = HttpDestination.ParseHeaders(["X-A: 1", " X-B :two: parts ", "x-a: 3"]);
        Assert.Equal([new("X-B", "two: parts"), new("x-a", "3")], headers!);
        Assert.Null(HttpDestination.ParseHeaders(["no colon"]));
        Assert.Null(HttpDestination.ParseHeaders(["X-Empty: "]));
    }

    [Fact]
    public void Json_field_missing_while_a_value_is_required_is_requeued_as_nsq_to_nsq_does()
    {
        var filter = new JsonFilter("kind", "a", []);
        Assert.Equal(JsonFilter.Verdict.Requeue, filter.Apply("{\"other\":1}"u8.ToArray(), out _));
        Assert.Equal(JsonFilter.Verdict.Drop, filter.Apply("{\"kind\":\"b\"}"u8.ToArray(), out _));
        Assert.Equal(JsonFilter.Verdict.Pass, filter.Apply("{\"kind\":\"a\"}"u8.ToArray(), out _));
    }

    [Fact]
    public void Topic_names_follow_nsq_rules()
    {
        Assert.True(NsqToNsqCommand.IsValidName("a.b_c-d#ephemeral"));
        Assert.False(NsqToNsqCommand.IsValidName("a b"));
        Assert.False(NsqToNsqCommand.IsValidName(new string('a', 65)));
    }
}
