using Microsoft.Playwright;
using OrleansNsq.AdminUi.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace OrleansNsq.AdminUi.Tests;

/// <summary>nsqadmin's actions clicked in the UI and confirmed in its dialog: /stats says they were done, and the page
/// shows it.</summary>
[Collection(AdminUiCollection.Name)]
public sealed class ActionTests(AdminUiFixture fixture, ITestOutputHelper output) : AdminUiTest(fixture, output)
{
    [Fact]
    public async Task Pause_channel_confirmed_pauses_it_in_stats_and_the_page_says_paused_then_unpause()
    {
        var (topic, channel) = await TopicWithChannelAsync("ui-pause");
        await OpenAsync($"/topics/{topic}/{channel}");

        await ClickAndConfirmAsync(Page.GetByRole(AriaRole.Button, new() { Name = "Pause Channel" }), $"pause channel {topic}/{channel}");
        await StatsProbe.UntilAsync(Http, topic, "the channel paused", s => StatsProbe.ChannelPaused(s, topic, channel));
        await Expect(Page.Locator("h2 [data-paused]")).ToHaveTextAsync("paused");
        await Expect(Page.GetByRole(AriaRole.Button, new() { Name = "UnPause Channel" })).ToBeVisibleAsync();
        await ScreenshotAsync("desktop-channel-paused");

        await ClickAndConfirmAsync(Page.GetByRole(AriaRole.Button, new() { Name = "UnPause Channel" }), $"unpause channel {topic}/{channel}");
        await StatsProbe.UntilAsync(Http, topic, "the channel unpaused", s => s.Channel(topic, channel) is not null && !StatsProbe.ChannelPaused(s, topic, channel));
        await Expect(Page.Locator("h2 [data-paused]")).ToHaveCountAsync(0);
        await Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Pause Channel" })).ToBeVisibleAsync();
        AssertNoConsoleErrors();
    }

    [Fact]
    public async Task Cancel_in_the_confirmation_leaves_the_channel_as_it_was()
    {
        var (topic, channel) = await TopicWithChannelAsync("ui-cancel");
        await OpenAsync($"/topics/{topic}/{channel}");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Pause Channel" }).ClickAsync();
        await Page.Locator("#confirm-dialog").GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await Expect(Page.Locator("#confirm-dialog")).ToBeHiddenAsync();

        // One more pass of the live refresh after the cancel, and /stats still says unpaused.
        var updated = await Page.Locator("#last-update").TextContentAsync();
        await Expect(Page.Locator("#last-update")).Not.ToHaveTextAsync(updated ?? "");
        var stats = await Http.StatsAsync(topic);
        Assert.False(StatsProbe.ChannelPaused(stats, topic, channel), "the channel was paused although the dialog was cancelled");
        await Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Pause Channel" })).ToBeVisibleAsync();
        AssertNoConsoleErrors();
    }

    [Fact]
    public async Task Empty_channel_confirmed_empties_it_in_stats_and_on_the_page()
    {
        var (topic, channel) = await TopicWithChannelAsync("ui-empty");
        await Http.MpubAsync(topic, Enumerable.Range(0, 5).Select(i => $"empty-{i}").ToList());
        await StatsProbe.UntilAsync(Http, topic, "5 messages queued on the channel", s => s.ChannelCounter(topic, channel, "depth") == 5);
        await OpenAsync($"/topics/{topic}/{channel}");
        var depth = Page.Locator($"table[data-table=channel-nodes] tr[data-node='{NodeId}'] [data-field=depth]");
        await Expect(depth).ToHaveTextAsync("5");

        await ClickAndConfirmAsync(Page.GetByRole(AriaRole.Button, new() { Name = "Empty Queue" }), $"empty channel {topic}/{channel}");
        await StatsProbe.UntilAsync(Http, topic, "the channel emptied", s => s.ChannelCounter(topic, channel, "depth") == 0);
        await Expect(depth).ToHaveTextAsync("0");
        AssertNoConsoleErrors();
    }

    [Fact]
    public async Task Delete_channel_confirmed_deletes_it_in_stats_and_goes_to_the_topic_page()
    {
        var (topic, channel) = await TopicWithChannelAsync("ui-delch");
        await OpenAsync($"/topics/{topic}/{channel}");

        await ClickAndConfirmAsync(Page.GetByRole(AriaRole.Button, new() { Name = "Delete Channel" }), $"delete channel {topic}/{channel}");
        await StatsProbe.UntilAsync(Http, topic, "the channel gone", s => s.Topic(topic) is not null && s.Channel(topic, channel) is null);
        await ExpectPathAsync($"/topics/{topic}");
        await Expect(Page.Locator($"table[data-table=topic-nodes] tr[data-node='{NodeId}']")).ToBeVisibleAsync();
        await Expect(Page.Locator($"tr[data-channel='{channel}']")).ToHaveCountAsync(0);
        AssertNoConsoleErrors();
    }

    [Fact]
    public async Task Pause_and_delete_topic_confirmed_act_in_stats_and_on_the_page()
    {
        var (topic, _) = await TopicWithChannelAsync("ui-deltopic");
        await OpenAsync($"/topics/{topic}");

        await ClickAndConfirmAsync(Page.GetByRole(AriaRole.Button, new() { Name = "Pause Topic" }), $"pause topic {topic}");
        await StatsProbe.UntilAsync(Http, topic, "the topic paused", s => StatsProbe.TopicPaused(s, topic));
        await Expect(Page.Locator("h2 [data-paused]")).ToHaveTextAsync("paused");
        await Expect(Page.GetByRole(AriaRole.Button, new() { Name = "UnPause Topic" })).ToBeVisibleAsync();

        await ClickAndConfirmAsync(Page.GetByRole(AriaRole.Button, new() { Name = "Delete Topic" }), $"delete topic {topic}");
        await StatsProbe.UntilAsync(Http, topic, "the topic gone", s => s.Topic(topic) is null);
        await ExpectPathAsync("/");
        await Expect(Page.Locator("table[data-table=topics]")).ToBeVisibleAsync();
        await Expect(Page.Locator($"table[data-table=topics] tr[data-topic='{topic}']")).ToHaveCountAsync(0);
        AssertNoConsoleErrors();
    }

    [Fact]
    public async Task Create_topic_and_channel_from_the_form_registers_them_in_lookupd_and_delete_from_the_lookup_tree_removes_them()
    {
        // As nsqadmin 1.3: create registers the topic and channel in lookupd; an nsqd creates them when it is used.
        var topic = Unique("ui-create");
        var channel = Unique("made");
        await OpenAsync("/lookup");
        var form = Page.Locator("form[data-form=create]");
        await form.Locator("input[name=topic]").FillAsync(topic);
        await form.Locator("input[name=channel]").FillAsync(channel);
        await ClickAndConfirmAsync(form.GetByRole(AriaRole.Button, new() { Name = "Create" }), $"Create channel {topic}/{channel}");
        await LookupdUntilAsync($"/channels?topic={topic}", $"lookupd to list channel {channel} of {topic}", body => body.Contains($"\"{channel}\"", StringComparison.Ordinal));

        var inactive = Page.Locator($"ul[data-list=inactive] li[data-topic='{topic}']");
        await Expect(inactive.Locator($"li[data-channel='{channel}']")).ToBeVisibleAsync();
        await ScreenshotAsync("desktop-lookup-created");

        await ClickAndConfirmAsync(inactive.GetByRole(AriaRole.Button, new() { Name = $"delete topic {topic}" }), $"delete topic {topic}");
        await LookupdUntilAsync("/topics", $"lookupd to forget {topic}", body => !body.Contains($"\"{topic}\"", StringComparison.Ordinal));
        await Expect(inactive).ToHaveCountAsync(0);
        AssertNoConsoleErrors();
    }

    [Fact]
    public async Task Tombstone_a_topic_producer_confirmed_removes_the_topic_from_that_node()
    {
        // As nsqadmin 1.3: the node is tombstoned for the topic in lookupd, then the topic is deleted on the node.
        var (topic, _) = await TopicWithChannelAsync("ui-tomb");
        await OpenAsync($"/topics/{topic}");
        await ClickAndConfirmAsync(Page.GetByRole(AriaRole.Button, new() { Name = $"tombstone {NodeId}" }), $"tombstone topic {topic} on node {NodeId}");
        await StatsProbe.UntilAsync(Http, topic, "the topic gone from the node", s => s.Topic(topic) is null);

        // It was the topic's only producer: the page goes back to the topics list.
        await ExpectPathAsync("/");

        await FollowLinkAsync(Page.Locator("nav a[data-nav=nodes]"), "/nodes");
        await Expect(Page.Locator($"table[data-table=nodes] tr[data-node='{NodeId}']")).ToBeVisibleAsync();
        await Expect(Page.Locator($"table[data-table=nodes] tr[data-node='{NodeId}'] a", new() { HasText = topic })).ToHaveCountAsync(0);
        AssertNoConsoleErrors();
    }

    /// <summary>Waits (bounded) until the Silo's lookupd answers <paramref name="path"/> with a body that passes.</summary>
    private async Task LookupdUntilAsync(string path, string expected, Func<string, bool> condition)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        await BoundedWait.UntilAsync("lookupd", expected, UiTimeout, async () =>
        {
            var body = await client.GetStringAsync($"http://{Fixture.Silo.LookupdHttpAddress}{path}");
            return (condition(body), body);
        });
    }

    private async Task<(string Topic, string Channel)> TopicWithChannelAsync(string prefix)
    {
        var topic = Unique(prefix);
        var channel = Unique("ch");
        await Http.CreateTopicAsync(topic);
        await Http.CreateChannelAsync(topic, channel);
        return (topic, channel);
    }
}
