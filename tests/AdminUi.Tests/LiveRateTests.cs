using System.Globalization;
using OrleansNsq.AdminUi.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace OrleansNsq.AdminUi.Tests;

/// <summary>The live rates: computed in the page from successive stats, drawn as a chart, updated without a reload.</summary>
[Collection(AdminUiCollection.Name)]
public sealed class LiveRateTests(AdminUiFixture fixture, ITestOutputHelper output) : AdminUiTest(fixture, output)
{
    /// <summary>The publisher's pace: one /mpub of <see cref="BatchSize"/> every 50 ms, ~200 messages/s.</summary>
    private static readonly TimeSpan PublishEvery = TimeSpan.FromMilliseconds(50);

    private const int BatchSize = 10;

    [Fact]
    public async Task The_rate_chart_rises_while_a_publisher_runs_and_falls_to_zero_after_it_stops()
    {
        var topic = Unique("ui-rate");
        var channel = Unique("ch");
        await Http.CreateTopicAsync(topic);
        await Http.CreateChannelAsync(topic, channel);
        await OpenAsync($"/topics/{topic}");
        var chart = Page.Locator($"figure.rate-chart[data-rate-key='topic:{topic}@*']");
        await Page.WaitForFunctionAsync(
            "key => { const f = document.querySelector(`figure.rate-chart[data-rate-key='${key}']`); return f && Number(f.dataset.samples) >= 2; }",
            $"topic:{topic}@*");
        await Expect(chart).ToHaveAttributeAsync("data-rate", "0.000");
        var idlePoints = await chart.Locator("polyline").GetAttributeAsync("points");

        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var publisher = PublishUntilStoppedAsync(topic, stop.Token);
        await Page.WaitForFunctionAsync(
            "key => Number(document.querySelector(`figure.rate-chart[data-rate-key='${key}']`)?.dataset.rate) > 0",
            $"topic:{topic}@*", new() { Timeout = (float)UiTimeout.TotalMilliseconds });
        await Expect(chart.Locator(".rate-now")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^[1-9][\d,]*(\.\d)?/s$"));
        var busyPoints = await chart.Locator("polyline").GetAttributeAsync("points");
        Assert.NotEqual(idlePoints, busyPoints);
        Assert.True(Heights(busyPoints).Distinct().Count() > 1, $"the chart is flat while messages flow: {busyPoints}");
        var channelRate = Page.Locator($"table[data-table=channels] tr[data-channel='{channel}'] [data-field=rate]");
        await Expect(channelRate).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^[1-9][\d,]*(\.\d)?/s$"));
        await ScreenshotAsync("desktop-topic-rate");

        // The counter page counts up while the publisher runs, without a reload.
        await FollowLinkAsync(Page.Locator("nav a[data-nav=counter]"), "/counter");
        var count = Page.Locator("[data-part=count]");
        await Expect(count).ToHaveAttributeAsync("data-count", new System.Text.RegularExpressions.Regex(@"^\d+$"));
        var first = long.Parse((await count.GetAttributeAsync("data-count"))!, CultureInfo.InvariantCulture);
        await Page.WaitForFunctionAsync(
            "first => Number(document.querySelector('[data-part=count]').dataset.count) > first && Number(document.querySelector('figure.rate-chart').dataset.rate) > 0",
            first, new() { Timeout = (float)UiTimeout.TotalMilliseconds });
        await ScreenshotAsync("desktop-counter-live");
        await FollowLinkAsync(Page.Locator("nav a[data-nav=topics]"), "/");
        await FollowLinkAsync(Page.Locator($"table[data-table=topics] tr[data-topic='{topic}'] a"), $"/topics/{topic}");

        await stop.CancelAsync();
        var published = await publisher;
        await StatsProbe.UntilAsync(Http, topic, $"{published} messages counted", s => s.TopicCounter(topic, "message_count") == published);
        await Expect(chart).ToHaveAttributeAsync("data-rate", "0.000");
        await Expect(Page.Locator($"table[data-table=topic-nodes] tr[data-node='*'] [data-field=message_count]"))
            .ToHaveTextAsync(Commafy(published));
        AssertNoConsoleErrors();
    }

    /// <summary>Publishes batches at a steady pace until cancelled; returns how many messages it published.</summary>
    private async Task<long> PublishUntilStoppedAsync(string topic, CancellationToken stop)
    {
        long published = 0;
        using var pace = new PeriodicTimer(PublishEvery);
        try
        {
            while (await pace.WaitForNextTickAsync(stop))
            {
                await Http.MpubAsync(topic, Enumerable.Range(0, BatchSize).Select(i => $"rate-{published + i}").ToList());
                published += BatchSize;
            }
        }
        catch (OperationCanceledException)
        {
            // the test has seen what it waited for
        }

        return published;
    }

    private static IEnumerable<double> Heights(string? points) =>
        (points ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => double.Parse(p.Split(',')[1], CultureInfo.InvariantCulture));
}
