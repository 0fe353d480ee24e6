using Microsoft.Playwright;

namespace Etter.Dashboard.Tests;

/// <summary>
/// One headless Debian Chromium for all dashboard tests, driven by Playwright's bundled driver (it ships
/// inside the NuGet package and runs offline). Browsers are never downloaded: no <c>playwright install</c>.
/// </summary>
public sealed class ChromiumFixture : IAsyncLifetime
{
    public const string DefaultExecutable = "/usr/bin/chromium";

    /// <summary>For machines with Chromium elsewhere; CI uses <see cref="DefaultExecutable"/>.</summary>
    public const string ExecutableVariable = "ETTER_CHROMIUM";

    static readonly string[] Args =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
    ];

    IPlaywright? _playwright;
    IBrowser? _browser;
    Exception? _startFailure;

    public static string Executable => Environment.GetEnvironmentVariable(ExecutableVariable) is { Length: > 0 } path ? path : DefaultExecutable;

    public async Task InitializeAsync()
    {
        Assertions.SetDefaultExpectTimeout(20_000);
        if (!File.Exists(Executable))
        {
            _startFailure = new InvalidOperationException(
                $"Chromium is not installed: {Executable} is missing. Run `apt-get install chromium` "
                + "(deploy/local/install-browser.sh does it; deploy/local/test.sh runs that in CI). The dashboard tests need a real browser.");
            return;
        }

        try
        {
            _playwright = await Playwright.CreateAsync();
            _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = Executable,
                Headless = true,
                Args = Args,
                Timeout = 30_000,
            });
        }
        catch (PlaywrightException ex)
        {
            _startFailure = new InvalidOperationException($"Could not start Chromium ({Executable}) through Playwright: {ex.Message}", ex);
        }
    }

    /// <summary>A fresh browser context (own storage, so no API key carries over) with one page.</summary>
    public async Task<DashboardPage> OpenAsync(DashboardHost host, ITestOutputHelper output)
    {
        ArgumentNullException.ThrowIfNull(host);
        if (_startFailure is not null)
        {
            throw _startFailure;
        }

        var context = await _browser!.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = host.BaseUrl.ToString(),
            ViewportSize = new ViewportSize { Width = 1360, Height = 900 },
            Locale = "en-GB",
            TimezoneId = "UTC",
        });
        context.SetDefaultTimeout(20_000);
        return new DashboardPage(context, await context.NewPageAsync(), output);
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }
}

/// <summary>A page of the dashboard; collects script errors so a test fails on any of them.</summary>
public sealed class DashboardPage : IAsyncDisposable
{
    readonly IBrowserContext _context;
    readonly ITestOutputHelper _output;
    readonly List<string> _scriptErrors = [];

    internal DashboardPage(IBrowserContext context, IPage page, ITestOutputHelper output)
    {
        _context = context;
        _output = output;
        Page = page;
        page.PageError += (_, error) => Record($"uncaught: {error}");
        page.Console += (_, message) =>
        {
            // "Failed to load resource" is the browser noting a 401/404 answer; the page handles those.
            if (message.Type == "error" && !message.Text.StartsWith("Failed to load resource", StringComparison.Ordinal))
            {
                Record($"console.error: {message.Text}");
            }
        };
    }

    public IPage Page { get; }

    /// <summary>Script errors seen so far (uncaught exceptions, console errors such as CSP violations).</summary>
    public IReadOnlyList<string> ScriptErrors
    {
        get
        {
            lock (_scriptErrors)
            {
                return [.. _scriptErrors];
            }
        }
    }

    void Record(string error)
    {
        lock (_scriptErrors)
        {
            _scriptErrors.Add(error);
        }
    }

    /// <summary>Saves a full-page screenshot under TestResults/screenshots of the working directory and logs its path.</summary>
    public async Task<string> ScreenshotAsync(string name)
    {
        var folder = Path.Combine(Directory.GetCurrentDirectory(), "TestResults", "screenshots");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, $"{name}.png");
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        _output.WriteLine($"screenshot: {path}");
        return path;
    }

    public async ValueTask DisposeAsync() => await _context.DisposeAsync();
}
