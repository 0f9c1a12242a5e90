using System.Net;
using OrleansNsq.Admin.Tests.Infrastructure;

namespace OrleansNsq.Admin.Tests.Api;

/// <summary>nsqadmin's actions against a real Silo: each answers <c>{"message":""}</c> and really acts, as the node's
/// own /stats and lookupd show.</summary>
public sealed class ActionApiTests(SiloFixture fixture, ITestOutputHelper output) : AdminSiloTest(fixture, output), IClassFixture<SiloFixture>
{
    private async Task ExpectOkAsync(Task<AdminAnswer> call, string what)
    {
        var answer = await call;
        Assert.True(answer.Status == HttpStatusCode.OK && answer.Message == "", $"{what}: {answer}");
    }

    [Fact]
    public async Task Pause_and_unpause_a_channel_set_its_paused_flag_on_the_node()
    {
        var (topic, channel) = await TopicWithChannelAsync(1);
        await ExpectOkAsync(Admin.PostAsync($"/api/topics/{topic}/{channel}", """{"action":"pause"}"""), "pause");
        await StatsWhenAsync(topic, "channel paused", s => s.Channel(topic, channel)?.GetProperty("paused").GetBoolean() == true);
        Assert.True((await Admin.GetOkAsync($"/api/topics/{topic}/{channel}")).GetProperty("paused").GetBoolean());
        await ExpectOkAsync(Admin.PostAsync($"/api/topics/{topic}/{channel}", """{"action":"unpause"}"""), "unpause");
        await StatsWhenAsync(topic, "channel unpaused", s => s.Channel(topic, channel)?.GetProperty("paused").GetBoolean() == false);
    }

    [Fact]
    public async Task Pause_and_unpause_a_topic_set_its_paused_flag_on_the_node()
    {
        var (topic, _) = await TopicWithChannelAsync(1);
        await ExpectOkAsync(Admin.PostAsync($"/api/topics/{topic}", """{"action":"pause"}"""), "pause");
        await StatsWhenAsync(topic, "topic paused", s => s.Topic(topic)?.GetProperty("paused").GetBoolean() == true);
        Assert.True((await Admin.GetOkAsync($"/api/topics/{topic}")).GetProperty("paused").GetBoolean());
        await ExpectOkAsync(Admin.PostAsync($"/api/topics/{topic}", """{"action":"unpause"}"""), "unpause");
        await StatsWhenAsync(topic, "topic unpaused", s => s.Topic(topic)?.GetProperty("paused").GetBoolean() == false);
    }

    [Fact]
    public async Task Empty_a_channel_drops_its_waiting_messages()
    {
        var (topic, channel) = await TopicWithChannelAsync(4);
        await StatsWhenAsync(topic, "4 waiting", s => s.ChannelCounter(topic, channel, "depth") == 4);
        await ExpectOkAsync(Admin.PostAsync($"/api/topics/{topic}/{channel}", """{"action":"empty"}"""), "empty");
        await StatsWhenAsync(topic, "channel emptied", s => s.ChannelCounter(topic, channel, "depth") == 0);
    }

    [Fact]
    public async Task Empty_a_topic_drops_the_messages_it_holds()
    {
        var topic = Unique("adm");
        await Http.CreateTopicAsync(topic);
        await Admin.PostAsync($"/api/topics/{topic}", """{"action":"pause"}""");
        for (var i = 0; i < 3; i++) await Http.PubAsync(topic, $"m{i}");
        await StatsWhenAsync(topic, "3 held by the topic", s => s.TopicCounter(topic, "depth") == 3);
        await ExpectOkAsync(Admin.PostAsync($"/api/topics/{topic}", """{"action":"empty"}"""), "empty");
        await StatsWhenAsync(topic, "topic emptied", s => s.TopicCounter(topic, "depth") == 0);
    }

    [Fact]
    public async Task Create_a_topic_and_channel_registers_both_in_lookupd_and_on_the_producers()
    {
        var (topic, _) = await TopicWithChannelAsync(0);
        var channel = Unique("new");
        await ExpectOkAsync(Admin.PostAsync("/api/topics", $$"""{"topic":"{{topic}}","channel":"{{channel}}"}"""), "create");
        Assert.Contains(channel, (await LookupdAsync($"/channels?topic={topic}")).GetProperty("channels").EnumerateArray().Select(c => c.GetString()));
        await StatsWhenAsync(topic, "the new channel on the node", s => s.Channel(topic, channel) is not null);
        var fresh = Unique("fresh");
        await ExpectOkAsync(Admin.PostAsync("/api/topics", $$"""{"topic":"{{fresh}}"}"""), "create topic");
        Assert.Contains(fresh, (await LookupdAsync("/topics")).GetProperty("topics").EnumerateArray().Select(t => t.GetString()));
    }

    [Fact]
    public async Task Delete_a_channel_removes_it_from_the_node_and_lookupd()
    {
        var (topic, channel) = await TopicWithChannelAsync(1);
        await ExpectOkAsync(Admin.DeleteAsync($"/api/topics/{topic}/{channel}"), "delete channel");
        await StatsWhenAsync(topic, "channel gone", s => s.Topic(topic) is not null && s.Channel(topic, channel) is null);
        Assert.DoesNotContain(channel, (await LookupdAsync($"/channels?topic={topic}")).GetProperty("channels").EnumerateArray().Select(c => c.GetString()));
    }

    [Fact]
    public async Task Delete_a_topic_removes_it_from_the_node_and_lookupd()
    {
        var (topic, _) = await TopicWithChannelAsync(1);
        await ExpectOkAsync(Admin.DeleteAsync($"/api/topics/{topic}"), "delete topic");
        await StatsWhenAsync(topic, "topic gone", s => s.Topic(topic) is null);
        Assert.DoesNotContain(topic, (await LookupdAsync("/topics")).GetProperty("topics").EnumerateArray().Select(t => t.GetString()));
        var after = await Admin.GetAsync($"/api/topics/{topic}");
        Assert.Equal(HttpStatusCode.BadGateway, after.Status);
    }

    [Fact]
    public async Task Tombstone_a_topics_producer_hides_it_from_lookupd_lookup()
    {
        var (topic, _) = await TopicWithChannelAsync(1);
        var lookup = await LookupdAsync($"/lookup?topic={topic}");
        Assert.Single(lookup.GetProperty("producers").EnumerateArray());
        await ExpectOkAsync(Admin.DeleteAsync($"/api/nodes/{Silo.HttpAddress}", $$"""{"topic":"{{topic}}"}"""), "tombstone");
        // nsqadmin tombstones the node in lookupd, then deletes the topic on the node
        await StatsWhenAsync(topic, "topic deleted on the node", s => s.Topic(topic) is null);
        await BoundedWait.UntilAsync("tombstone", "no producer of the topic in lookupd", Wait, async () =>
        {
            using var response = await Raw.GetAsync($"http://{Silo.LookupdHttpAddress}/lookup?topic={topic}");
            var body = await response.Content.ReadAsStringAsync();
            return (response.StatusCode == HttpStatusCode.NotFound || !body.Contains($"\"tcp_port\":{Silo.TcpPort}", StringComparison.Ordinal), body);
        });
    }

    [Fact]
    public async Task Actions_of_a_user_not_in_admin_user_are_not_checked_without_admin_users()
    {
        var (topic, channel) = await TopicWithChannelAsync(0);
        var answer = await Admin.SendAsync(HttpMethod.Post, $"/api/topics/{topic}/{channel}", """{"action":"pause"}""",
            new Dictionary<string, string> { ["X-Forwarded-User"] = "someone" });
        Assert.Equal(HttpStatusCode.OK, answer.Status);
    }
}
