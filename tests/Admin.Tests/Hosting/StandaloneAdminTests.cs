using System.Net;
using OrleansNsq.Admin.Tests.Infrastructure;

namespace OrleansNsq.Admin.Tests.Hosting;

/// <summary>
/// The admin run on its own with nsqadmin's flags against a Silo: every lookupd or nsqd in its list that is down
/// leaves the rest shown, with nsqadmin's warning naming the failure; with all down it is 502.
/// </summary>
public sealed class StandaloneAdminTests(SiloFixture fixture, ITestOutputHelper output) : SiloTest(fixture, output), IClassFixture<SiloFixture>
{
    private static string Refused(int port, string path) =>
        $"Get \"http://127.0.0.1:{port}{path}\": dial tcp 127.0.0.1:{port}: connect: connection refused";

    [Fact]
    public async Task A_lookupd_that_is_down_yields_the_others_topics_and_nodes_with_a_warning_naming_it()
    {
        var topic = Unique("partial");
        await Http.CreateTopicAsync(topic);
        var down = FreePorts.Take(1)[0];
        await using var admin = await AdminProcess.StartAsync("--lookupd-http-address", Silo.LookupdHttpAddress, "--lookupd-http-address", $"127.0.0.1:{down}");
        using var http = new AdminHttp(admin.Address);
        var topics = await http.GetOkAsync("/api/topics");
        Assert.Contains(topic, topics.GetProperty("topics").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal("WARNING: " + Refused(down, "/topics"), topics.GetProperty("message").GetString());
        var nodes = await http.GetOkAsync("/api/nodes");
        Assert.Single(nodes.GetProperty("nodes").EnumerateArray());
        Assert.Equal("WARNING: " + Refused(down, "/nodes"), nodes.GetProperty("message").GetString());
        var topicStats = await http.GetOkAsync($"/api/topics/{topic}");
        Assert.Equal("WARNING: " + Refused(down, $"/lookup?topic={topic}"), topicStats.GetProperty("message").GetString());
        Assert.Single(topicStats.GetProperty("nodes").EnumerateArray());
    }

    [Fact]
    public async Task Every_lookupd_down_is_502_upstream_error_listing_each_failure()
    {
        var down = FreePorts.Take(2);
        await using var admin = await AdminProcess.StartAsync("--lookupd-http-address", $"127.0.0.1:{down[0]}", "--lookupd-http-address", $"127.0.0.1:{down[1]}");
        using var http = new AdminHttp(admin.Address);
        var answer = await http.GetAsync("/api/topics");
        Assert.Equal(HttpStatusCode.BadGateway, answer.Status);
        Assert.Equal($"UPSTREAM_ERROR: failed to query any nsqlookupd: {Refused(down[0], "/topics")}\n{Refused(down[1], "/topics")}", answer.Message);
    }

    [Fact]
    public async Task An_nsqd_that_is_down_yields_the_other_nodes_with_a_warning_naming_it()
    {
        var topic = Unique("direct");
        await Http.CreateTopicAsync(topic);
        await Http.PubAsync(topic, "x");
        var down = FreePorts.Take(1)[0];
        await using var admin = await AdminProcess.StartAsync("--nsqd-http-address", Silo.HttpAddress, "--nsqd-http-address", $"127.0.0.1:{down}");
        using var http = new AdminHttp(admin.Address);
        var nodes = await http.GetOkAsync("/api/nodes");
        var node = Assert.Single(nodes.GetProperty("nodes").EnumerateArray());
        Assert.Equal(Silo.HttpPort, node.GetProperty("http_port").GetInt32());
        Assert.False(node.TryGetProperty("silo", out _)); // no lookupd: nothing to say it is a silo
        Assert.Equal("WARNING: " + Refused(down, "/info"), nodes.GetProperty("message").GetString());
        var stats = await http.GetOkAsync($"/api/topics/{topic}");
        Assert.Equal(1, stats.GetProperty("message_count").GetInt64());
        Assert.Equal($"WARNING: {Refused(down, $"/stats?format=json&topic={topic}&include_clients=false")}", stats.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Pausing_through_the_standalone_admin_acts_on_the_silo()
    {
        var topic = Unique("standalone");
        await Http.CreateTopicAsync(topic);
        await Http.CreateChannelAsync(topic, "c");
        await using var admin = await AdminProcess.StartAsync("--lookupd-http-address", Silo.LookupdHttpAddress);
        using var http = new AdminHttp(admin.Address);
        var answer = await http.PostAsync($"/api/topics/{topic}/c", """{"action":"pause"}""");
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        await BoundedWait.UntilAsync("pause", "channel paused in /stats", TimeSpan.FromSeconds(30), async () =>
        {
            var stats = await Http.StatsAsync(topic);
            return (stats.Channel(topic, "c")?.GetProperty("paused").GetBoolean() == true, stats.Root.ToString());
        });
    }

    [Fact]
    public async Task Admin_users_alone_may_act_others_get_403_FORBIDDEN()
    {
        var topic = Unique("acl");
        await Http.CreateTopicAsync(topic);
        await using var admin = await AdminProcess.StartAsync("--lookupd-http-address", Silo.LookupdHttpAddress, "--admin-user", "alice");
        using var http = new AdminHttp(admin.Address);
        var anonymous = await http.PostAsync($"/api/topics/{topic}", """{"action":"pause"}""");
        Assert.Equal((HttpStatusCode.Forbidden, "FORBIDDEN"), (anonymous.Status, anonymous.Message));
        var alice = await http.SendAsync(HttpMethod.Post, $"/api/topics/{topic}", """{"action":"pause"}""", new Dictionary<string, string> { ["X-Forwarded-User"] = "alice" });
        Assert.Equal(HttpStatusCode.OK, alice.Status);
    }

    [Theory]
    [InlineData(new string[0], "--nsqd-http-address or --lookupd-http-address required")]
    [InlineData(new[] { "--lookupd-http-address", "a:1", "--nsqd-http-address", "b:2" }, "use --nsqd-http-address or --lookupd-http-address not both")]
    [InlineData(new[] { "--bogus", "1" }, "flag provided but not defined: -bogus")]
    public async Task Bad_flags_stop_the_admin_with_nsqadmins_message(string[] flags, string message)
    {
        var (code, printed) = await AdminProcess.RunToExitAsync(flags);
        Assert.Equal(2, code);
        Assert.Contains(message, printed);
    }
}
