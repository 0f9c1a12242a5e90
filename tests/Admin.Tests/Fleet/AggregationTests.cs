using OrleansNsq.Admin.Fleet;

namespace OrleansNsq.Admin.Tests.Fleet;

/// <summary>clusterinfo's sums over nodes, as nsqadmin computes them (in process, no fleet).</summary>
public sealed class AggregationTests
{
    private static TopicStats Node(string node, string host, long depth, long messages, params ChannelStats[] channels) => new()
    {
        Node = node, Hostname = host, TopicName = "t", Depth = depth, MessageCount = messages, Channels = [.. channels],
        E2eProcessingLatency = new E2eLatencyAggregate(),
    };

    private static ChannelStats Channel(string node, string host, long depth, long inFlight, int clients, bool paused = false) => new()
    {
        Node = node, Hostname = host, TopicName = "t", ChannelName = "c", Depth = depth, InFlightCount = inFlight, ClientCount = clients, Paused = paused,
        E2eProcessingLatency = new E2eLatencyAggregate(),
    };

    [Fact]
    public void A_topic_over_two_nodes_sums_their_figures_and_lists_the_nodes_by_hostname()
    {
        var all = new TopicStats { TopicName = "t" };
        all.Add(Node("b:4151", "b", 3, 10, Channel("b:4151", "b", 1, 2, 1)));
        all.Add(Node("a:4151", "a", 4, 20, Channel("a:4151", "a", 5, 1, 2, paused: true)));
        Assert.Equal("*", all.Node);
        Assert.Equal(7, all.Depth);
        Assert.Equal(30, all.MessageCount);
        Assert.Equal(["a", "b"], all.NodeStats!.Select(n => n.Hostname));
        var channel = Assert.Single(all.Channels!);
        Assert.Equal(6, channel.Depth);
        Assert.Equal(3, channel.InFlightCount);
        Assert.Equal(3, channel.ClientCount);
        Assert.True(channel.Paused);
    }

    [Fact]
    public void E2e_percentiles_of_two_nodes_merge_by_quantile_into_a_count_weighted_average()
    {
        var a = new E2eLatencyAggregate { Count = 1, Percentiles = [new() { ["quantile"] = 0.99, ["value"] = 100 }] };
        var b = new E2eLatencyAggregate { Count = 3, Percentiles = [new() { ["quantile"] = 0.99, ["value"] = 200 }] };
        a.CompleteAsRead();
        b.CompleteAsRead();
        var all = new E2eLatencyAggregate();
        all.Add(a);
        all.Add(b);
        var p = Assert.Single(all.Percentiles!);
        Assert.Equal(4, all.Count);
        Assert.Equal(200, p["max"]);
        Assert.Equal(175, p["average"]);
        Assert.Equal("*", all.Addr);
    }

    [Theory]
    [InlineData("1.2.9", "1.3.0", true)]
    [InlineData("1.3.0-rc1", "1.3.0", true)]
    [InlineData("1.3.0", "1.3.0", false)]
    [InlineData("not-a-version", "0.0.1", true)]
    public void Versions_compare_as_semver(string older, string newer, bool less)
    {
        Assert.Equal(less, SemanticVersion.ParseOrZero(older).LessThan(SemanticVersion.ParseOrZero(newer)));
    }

    [Fact]
    public void Upstream_bodies_are_quoted_as_gos_percent_q()
    {
        Assert.Equal("\"{\\\"message\\\":\\\"TOPIC_NOT_FOUND\\\"}\"", UpstreamClient.GoQuote("{\"message\":\"TOPIC_NOT_FOUND\"}"u8.ToArray()));
        Assert.Equal("\"a\\nb\\x01\"", UpstreamClient.GoQuote("a\nb\u0001"u8.ToArray()));
    }
}
