using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace OrleansNsq.AdminUi.Tests.Infrastructure;

/// <summary>
/// Base of the admin UI tests: a fresh browser context per test whose console errors and uncaught page errors fail
/// the test, pages opened with a 1 s refresh, screenshots under TestResults/admin-ui/, and the Silo's nsqd HTTP API
/// to compare with.
/// </summary>
public abstract class AdminUiTest : IAsyncLifetime
{
    /// <summary>How long a page may take to show an expected value: a few live refreshes on a loaded CI machine.</summary>
    protected static readonly TimeSpan UiTimeout = TimeSpan.FromSeconds(30);

    private readonly List<string> _consoleErrors = [];
    private readonly long _mark;
    private IBrowserContext? _context;

    protected AdminUiTest(AdminUiFixture fixture, ITestOutputHelper output)
    {
        Fixture = fixture;
        Output = output;
        Http = new NsqdHttp(fixture.Silo);
        _mark = fixture.Silo.OutputMark;
        Assertions.SetDefaultExpectTimeout((float)UiTimeout.TotalMilliseconds);
    }

    protected AdminUiFixture Fixture { get; }

    protected ITestOutputHelper Output { get; }

    protected NsqdHttp Http { get; }

    protected IPage Page { get; private set; } = null!;

    /// <summary>The viewport of this test's browser context; a phone test overrides it.</summary>
    protected virtual ViewportSize Viewport => new() { Width = 1280, Height = 900 };

    /// <summary>Console errors (e.g. an expected 404) that a test allows, matched against the error's text.</summary>
    protected List<Regex> AllowedConsoleErrors { get; } = [];

    /// <summary>The Silo's node id in the admin API: its broadcast address and HTTP port.</summary>
    protected string NodeId => Fixture.Silo.HttpAddress;

    public async Task InitializeAsync()
    {
        _context = await Fixture.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = Viewport });
        Page = await _context.NewPageAsync();
        Page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                lock (_consoleErrors)
                {
                    _consoleErrors.Add($"console.error at {Page.Url}: {message.Text}");
                }
            }
        };
        Page.PageError += (_, error) =>
        {
            lock (_consoleErrors)
            {
                _consoleErrors.Add($"uncaught error at {Page.Url}: {error}");
            }
        };
    }

    public async Task DisposeAsync()
    {
        if (_context is not null)
        {
            await _context.DisposeAsync();
        }

        Http.Dispose();
        Output.WriteLine(Fixture.Silo.OutputSince(_mark));
    }

    /// <summary>Opens a page of the UI by its path and sets the live refresh to its fastest (1 s).</summary>
    protected async Task OpenAsync(string path)
    {
        var response = await Page.GotoAsync(Fixture.AdminBase + path);
        Assert.True(response is { Ok: true }, $"GET {path} answered {response?.Status}");
        await Page.Locator("#refresh-interval").SelectOptionAsync("1000");
        await Assertions.Expect(Page.Locator("#last-update")).ToContainTextAsync("updated");
    }

    /// <summary>Goes to another page inside the app the way a user does: by its link, without a reload.</summary>
    protected async Task FollowLinkAsync(ILocator link, string expectedPath)
    {
        await link.ClickAsync();
        await ExpectPathAsync(expectedPath);
    }

    /// <summary>Waits until the page's address is <paramref name="path"/> (polled, so a move that came first is seen too).</summary>
    protected Task ExpectPathAsync(string path) =>
        Assertions.Expect(Page).ToHaveURLAsync(new Regex("^" + Regex.Escape(Fixture.AdminBase + path) + "$"));

    /// <summary>Saves a full-page screenshot as TestResults/admin-ui/<paramref name="name"/>.png.</summary>
    protected async Task ScreenshotAsync(string name)
    {
        var directory = Path.Combine(Environment.GetEnvironmentVariable("TEST_RESULTS_DIR") is { Length: > 0 } results
            ? results
            : Path.Combine(RepoLayout.Root, "TestResults"), "admin-ui");
        Directory.CreateDirectory(directory);
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(directory, $"{name}.png"), FullPage = true });
    }

    /// <summary>Asserts the page does not scroll sideways: wide tables scroll inside their own box instead.</summary>
    protected async Task AssertFitsWidthAsync()
    {
        var widths = await Page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, window.innerWidth]");
        Assert.True(widths[0] <= widths[1], $"{new Uri(Page.Url).AbsolutePath}: the page is {widths[0]} px wide on a {widths[1]} px screen");
    }

    /// <summary>Clicks a button that asks for confirmation and confirms it in the dialog.</summary>
    protected async Task ClickAndConfirmAsync(ILocator button, string expectedQuestion)
    {
        await button.ClickAsync();
        var dialog = Page.Locator("#confirm-dialog");
        await Assertions.Expect(dialog).ToBeVisibleAsync();
        await Assertions.Expect(dialog).ToContainTextAsync(expectedQuestion);
        await dialog.Locator("#confirm-ok").ClickAsync();
        await Assertions.Expect(dialog).ToBeHiddenAsync();
    }

    /// <summary>Fails the test when the page logged a console error or threw, other than the allowed ones.</summary>
    protected void AssertNoConsoleErrors()
    {
        string[] errors;
        lock (_consoleErrors)
        {
            errors = _consoleErrors.Where(e => !AllowedConsoleErrors.Any(allowed => allowed.IsMatch(e))).ToArray();
        }

        Assert.True(errors.Length == 0, "the page logged errors:" + Environment.NewLine + string.Join(Environment.NewLine, errors));
    }

    /// <summary>A valid topic or channel name no other test uses.</summary>
    protected static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    /// <summary>nsqadmin's "commafy", as the UI shows counts.</summary>
    protected static string Commafy(long value) => value.ToString("#,0", System.Globalization.CultureInfo.InvariantCulture);
}
