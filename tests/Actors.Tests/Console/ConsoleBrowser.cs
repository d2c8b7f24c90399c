using System.Text.RegularExpressions;
using Actors.Tests.Infrastructure;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace Actors.Tests.Browser;

/// <summary>
/// Browser contexts on the test API, with what every console test needs: sign in, the axe check of a
/// page, and a screenshot of every open page kept under <c>TestResults/console-screenshots/</c> when
/// the test fails.
/// </summary>
public sealed class ConsoleBrowser(ClusterFixture cluster, Chromium chromium, string test) : IAsyncDisposable
{
    private readonly List<IBrowserContext> _contexts = [];

    public static string ScreenshotDirectory { get; } = Path.Combine(RepositoryRoot(), "tests", "Actors.Tests", "TestResults", "console-screenshots");

    public async Task<IPage> NewPageAsync()
    {
        var context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = cluster.Api.BaseAddress.ToString().TrimEnd('/') });
        context.SetDefaultTimeout(20_000);
        _contexts.Add(context);
        return await context.NewPageAsync();
    }

    /// <summary>A fresh context signed in through the console's form; answers its page on the console home.</summary>
    public async Task<IPage> SignedInAsync(string email, string password)
    {
        var page = await NewPageAsync();
        await SignInAsync(page, email, password);
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/console$"));
        return page;
    }

    public static async Task SignInAsync(IPage page, string email, string password)
    {
        await page.GotoAsync("/console/signin");
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }

    /// <summary>axe-core on the page as it is: no serious or critical violation.</summary>
    public static async Task AssertAccessibleAsync(IPage page)
    {
        var result = await page.RunAxe();
        var bad = result.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        Assert.True(bad.Count == 0, $"axe on {page.Url}: " + string.Join("; ",
            bad.Select(v => $"{v.Impact} {v.Id} ({v.Help}) at {string.Join(", ", v.Nodes.Select(n => n.Html))}")));
    }

    /// <summary>Runs the test body; on failure keeps a screenshot of each open page, then fails as the body did.</summary>
    public async Task RunAsync(Func<Task> body)
    {
        try
        {
            await body();
        }
        catch
        {
            Directory.CreateDirectory(ScreenshotDirectory);
            var n = 0;
            foreach (var page in _contexts.SelectMany(c => c.Pages))
            {
                try
                {
                    await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, $"{test}-{++n}.png"), FullPage = true });
                }
                catch (PlaywrightException)
                {
                    // a page that is gone has nothing to show
                }
            }
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var context in _contexts)
        {
            await context.DisposeAsync();
        }
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Actors.sln"))) dir = dir.Parent;
        return dir?.FullName ?? AppContext.BaseDirectory;
    }
}
