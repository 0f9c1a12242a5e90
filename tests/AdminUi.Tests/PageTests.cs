using Microsoft.Playwright;
using OrleansNsq.AdminUi.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace OrleansNsq.AdminUi.Tests;

/// <summary>Every page of the UI against a Silo with a topic, a channel and a connected consumer: what each page shows
/// is what /stats says, and no page logs a console error.</summary>
[Collection(AdminUiCollection.Name)]
public sealed class PageTests(AdminUiFixture fixture, ITestOutputHelper output) : AdminUiTest(fixture, output)
{
    [Fact]
    public async Task Every_page_shows_what_stats_says_about_a_topic_a_channel_and_its_consumer()
    {
        var topic = Unique("ui-pages");
        var channel = Unique("workers");
        await Http.CreateTopicAsync(topic);
        await Http.CreateChannelAsync(topic, channel);
        await Http.MpubAsync(topic, Enumerable.Range(0, 7).Select(i => $"page-{i}").ToList());
        await using var consumer = await Consumer.SubscribeAsync(Fixture.Silo.TcpPort, topic, channel, ready: 2);
        await consumer.ReceiveAsync("first message");
        await consumer.ReceiveAsync("second message");
        var stats = await StatsProbe.UntilAsync(Http, topic, "2 in flight on the channel, 5 queued",
            s => s.ChannelCounter(topic, channel, "in_flight_count") == 2 && s.ChannelCounter(topic, channel, "depth") == 5);
        long Topic(string counter) => stats.TopicCounter(topic, counter)!.Value;
        long Channel(string counter) => stats.ChannelCounter(topic, channel, counter)!.Value;

        // "/": the topic with its totals
        await OpenAsync("/");
        var topicRow = Page.Locator($"table[data-table=topics] tr[data-topic='{topic}']");
        await Expect(topicRow.Locator("[data-field=message_count]")).ToHaveTextAsync(Commafy(Topic("message_count")));
        await Expect(topicRow.Locator("[data-field=depth]")).ToHaveTextAsync(Commafy(Topic("depth")));
        await Expect(topicRow.Locator("[data-field=channels]")).ToHaveTextAsync("1");
        await AssertFitsWidthAsync();
        await ScreenshotAsync("desktop-topics");

        // "/topics/:topic": the node row and the total, and the channel row
        await FollowLinkAsync(topicRow.GetByRole(AriaRole.Link, new() { Name = topic, Exact = true }), $"/topics/{topic}");
        foreach (var node in new[] { NodeId, "*" })
        {
            var row = Page.Locator($"table[data-table=topic-nodes] tr[data-node='{node}']");
            await Expect(row.Locator("[data-field=depth]")).ToHaveTextAsync(Commafy(Topic("depth")));
            await Expect(row.Locator("[data-field=message_count]")).ToHaveTextAsync(Commafy(Topic("message_count")));
            await Expect(row.Locator("[data-field=in_flight_count]")).ToHaveTextAsync(Commafy(Channel("in_flight_count")));
            await Expect(row.Locator("[data-field=deferred_count]")).ToHaveTextAsync(Commafy(Channel("deferred_count")));
            await Expect(row.Locator("[data-field=channels]")).ToHaveTextAsync("1");
        }
        var channelRow = Page.Locator($"table[data-table=channels] tr[data-channel='{channel}']");
        await Expect(channelRow.Locator("[data-field=depth]")).ToHaveTextAsync(Commafy(Channel("depth")));
        await Expect(channelRow.Locator("[data-field=in_flight_count]")).ToHaveTextAsync(Commafy(Channel("in_flight_count")));
        await Expect(channelRow.Locator("[data-field=message_count]")).ToHaveTextAsync(Commafy(Channel("message_count")));
        await Expect(channelRow.Locator("[data-field=client_count]")).ToHaveTextAsync("1");
        await Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Pause Topic" })).ToBeVisibleAsync();
        await AssertFitsWidthAsync();
        await ScreenshotAsync("desktop-topic");

        // "/topics/:topic/:channel": the channel per node and the consumer
        await FollowLinkAsync(channelRow.GetByRole(AriaRole.Link, new() { Name = channel, Exact = true }), $"/topics/{topic}/{channel}");
        var nodeRow = Page.Locator($"table[data-table=channel-nodes] tr[data-node='{NodeId}']");
        await Expect(nodeRow.Locator("[data-field=depth]")).ToHaveTextAsync(Commafy(Channel("depth")));
        await Expect(nodeRow.Locator("[data-field=in_flight_count]")).ToHaveTextAsync(Commafy(Channel("in_flight_count")));
        await Expect(nodeRow.Locator("[data-field=requeue_count]")).ToHaveTextAsync(Commafy(Channel("requeue_count")));
        await Expect(nodeRow.Locator("[data-field=timeout_count]")).ToHaveTextAsync(Commafy(Channel("timeout_count")));
        await Expect(nodeRow.Locator("[data-field=client_count]")).ToHaveTextAsync("1");
        var client = Page.Locator("table[data-table=clients] tbody tr");
        await Expect(client).ToHaveCountAsync(1);
        await Expect(client.Locator("[data-field=user_agent]")).ToHaveTextAsync(Consumer.UserAgent);
        await Expect(client.Locator("[data-field=ready_count]")).ToHaveTextAsync("2");
        await Expect(client.Locator("[data-field=in_flight_count]")).ToHaveTextAsync("2");
        await Expect(client.Locator("[data-field=message_count]")).ToHaveTextAsync("2");
        await Expect(client.Locator("[data-field=finish_count]")).ToHaveTextAsync("0");
        await Expect(client.Locator("[data-field=connected]")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\d+(ms|s|m)"));
        await AssertFitsWidthAsync();
        await ScreenshotAsync("desktop-channel");

        // "/nodes": this Silo with the topic among its topics
        await FollowLinkAsync(Page.Locator("nav a[data-nav=nodes]"), "/nodes");
        var siloRow = Page.Locator($"table[data-table=nodes] tr[data-node='{NodeId}']");
        await Expect(siloRow.GetByRole(AriaRole.Link, new() { Name = topic, Exact = true })).ToBeVisibleAsync();
        await Expect(siloRow.Locator("[data-field=silo-status]")).ToBeVisibleAsync();
        await AssertFitsWidthAsync();
        await ScreenshotAsync("desktop-nodes");

        // "/nodes/:node": the topic, its channel and the consumer on this node
        await FollowLinkAsync(siloRow.GetByRole(AriaRole.Link, new() { Name = "127.0.0.1", Exact = true }), $"/nodes/{NodeId}");
        await Expect(Page.Locator($"tr.topic-row[data-topic='{topic}']")).ToBeVisibleAsync();
        await Expect(Page.Locator($"tr.channel-row[data-channel='{topic}/{channel}']")).ToContainTextAsync(Commafy(Channel("message_count")));
        await Expect(Page.Locator("[data-part=silo-details]")).ToBeVisibleAsync();
        await AssertFitsWidthAsync();
        await ScreenshotAsync("desktop-node");

        // "/lookup": lookupd's hosts and the create form
        await FollowLinkAsync(Page.Locator("nav a[data-nav=lookup]"), "/lookup");
        await Expect(Page.GetByRole(AriaRole.Button, new() { Name = "Create" })).ToBeVisibleAsync();
        await Expect(Page.Locator("table[data-table=lookupd], .notice").First).ToBeVisibleAsync();
        await AssertFitsWidthAsync();
        await ScreenshotAsync("desktop-lookup");

        // "/counter": the fleet's message count, as nsqadmin sums it (every channel on every node)
        await FollowLinkAsync(Page.Locator("nav a[data-nav=counter]"), "/counter");
        var all = await StatsProbe.AllAsync(Fixture.Silo);
        long fleet = 0;
        foreach (var t in all.GetProperty("topics").EnumerateArray())
        {
            foreach (var c in t.GetProperty("channels").EnumerateArray())
            {
                fleet += c.GetProperty("message_count").GetInt64();
            }
        }
        await Expect(Page.Locator("[data-part=count]")).ToHaveAttributeAsync("data-count", fleet.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await AssertFitsWidthAsync();
        await ScreenshotAsync("desktop-counter");

        AssertNoConsoleErrors();
    }

    [Fact]
    public async Task An_API_error_is_a_banner_and_the_rest_of_the_page_stays()
    {
        // nsqadmin answers 404 NODE_NOT_FOUND for a node no lookupd knows; the browser logs the failed request.
        AllowedConsoleErrors.Add(new System.Text.RegularExpressions.Regex("status of 404"));
        await OpenAsync("/nodes/127.0.0.1:1");
        await Expect(Page.Locator(".banner-error")).ToContainTextAsync("NODE_NOT_FOUND");
        await Expect(Page.Locator("nav a[data-nav=nodes]")).ToBeVisibleAsync();
        await Expect(Page.Locator(".breadcrumb")).ToContainTextAsync("127.0.0.1:1");
        await ScreenshotAsync("desktop-error-banner");
        AssertNoConsoleErrors();
    }

    [Fact]
    public async Task A_lookupd_that_is_down_is_a_banner_with_its_message_and_the_rest_is_still_shown()
    {
        var topic = Unique("ui-down");
        await Http.CreateTopicAsync(topic);
        var deadLookupd = $"127.0.0.1:{FreePorts.Take(1)[0]}";
        using var admin = new HttpClient { BaseAddress = new Uri(Fixture.AdminBase), Timeout = TimeSpan.FromSeconds(10) };
        await PutLookupdsAsync(admin, $"[\"{Fixture.Silo.LookupdHttpAddress}\",\"{deadLookupd}\"]");
        try
        {
            await OpenAsync("/");
            await Expect(Page.Locator(".banner").First).ToContainTextAsync(deadLookupd);
            await Expect(Page.Locator($"table[data-table=topics] tr[data-topic='{topic}']")).ToBeVisibleAsync();
            await ScreenshotAsync("desktop-lookupd-down");

            await FollowLinkAsync(Page.Locator("nav a[data-nav=lookup]"), "/lookup");
            await Expect(Page.Locator(".banner").First).ToContainTextAsync(deadLookupd);
            await Expect(Page.Locator("table[data-table=lookupd]")).ToContainTextAsync(deadLookupd);
            AssertNoConsoleErrors();
        }
        finally
        {
            // Back to the default: the node's own lookupd.
            await PutLookupdsAsync(admin, "[]");
        }
    }

    private static async Task PutLookupdsAsync(HttpClient admin, string json)
    {
        using var body = new StringContent(json);
        using var response = await admin.PutAsync("/config/nsqlookupd_http_addresses", body);
        Assert.True(response.IsSuccessStatusCode, $"PUT /config/nsqlookupd_http_addresses {json} answered {(int)response.StatusCode}");
    }
}
