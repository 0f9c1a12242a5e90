using Microsoft.Playwright;

namespace OrleansNsq.AdminUi.Tests.Infrastructure;

/// <summary>
/// One Silo (its admin listener on a free loopback port, as SiloProcess starts every Silo) and one headless Debian chromium driven by Playwright,
/// shared by the admin UI tests; each test opens its own browser context and uses its own topic names.
/// </summary>
public sealed class AdminUiFixture : IAsyncLifetime
{
    /// <summary>Debian's chromium: Playwright's own browser builds cannot be downloaded here, so none is installed.</summary>
    public const string ChromiumPath = "/usr/bin/chromium";

    private SiloProcess? _silo;
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public SiloProcess Silo => _silo ?? throw new InvalidOperationException("the fixture has not started");

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("the fixture has not started");

    /// <summary>Where the UI is served: http://127.0.0.1:port.</summary>
    public string AdminBase => $"http://{Silo.AdminHttpAddress}";

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"{ChromiumPath} is missing: apt-get install chromium (.ci/run does it)");
        }

        _silo = await SiloProcess.StartAsync();
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
        });
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
        if (_silo is not null)
        {
            await _silo.DisposeAsync();
        }
    }
}

/// <summary>The admin UI tests run one after another against the one Silo: the counter page sums the whole fleet.</summary>
[CollectionDefinition(Name)]
public sealed class AdminUiCollection : ICollectionFixture<AdminUiFixture>
{
    public const string Name = "admin UI";
}
