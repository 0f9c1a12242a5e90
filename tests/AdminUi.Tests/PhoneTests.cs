using Microsoft.Playwright;
using OrleansNsq.AdminUi.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace OrleansNsq.AdminUi.Tests;

/// <summary>Every page on a phone-sized screen: readable without sideways scrolling of the page (wide tables scroll
/// inside their own box), and without console errors.</summary>
[Collection(AdminUiCollection.Name)]
public sealed class PhoneTests(AdminUiFixture fixture, ITestOutputHelper output) : AdminUiTest(fixture, output)
{
    protected override ViewportSize Viewport => new() { Width = 390, Height = 844 };

    [Fact]
    public async Task Every_page_fits_a_phone_screen_width()
    {
        var topic = Unique("ui-phone");
        var channel = Unique("ch");
        await Http.CreateTopicAsync(topic);
        await Http.CreateChannelAsync(topic, channel);
        await Http.MpubAsync(topic, ["one", "two", "three"]);
        await using var consumer = await Consumer.SubscribeAsync(Fixture.Silo.TcpPort, topic, channel, ready: 1);
        await consumer.ReceiveAsync("a message in flight");

        var pages = new (string Name, string Path, string Shown)[]
        {
            ("topics", "/", $"tr[data-topic='{topic}']"),
            ("topic", $"/topics/{topic}", $"tr[data-channel='{channel}']"),
            ("channel", $"/topics/{topic}/{channel}", "table[data-table=clients] tbody tr"),
            ("nodes", "/nodes", $"tr[data-node='{NodeId}']"),
            ("node", $"/nodes/{NodeId}", $"tr[data-topic='{topic}']"),
            ("lookup", "/lookup", "form[data-form=create]"),
            ("counter", "/counter", "[data-part=count][data-count]"),
        };
        foreach (var (name, path, shown) in pages)
        {
            await OpenAsync(path);
            await Expect(Page.Locator(shown).First).ToBeVisibleAsync();
            await AssertFitsWidthAsync();
            await ScreenshotAsync($"phone-{name}");
        }

        AssertNoConsoleErrors();
    }
}
