using System.Diagnostics;
using Actors.Tests.Infrastructure;

namespace Actors.Tests.Integrators;

/// <summary>
/// The OpenAPI description, linted by Spectral's <c>spectral:oas</c> ruleset (installed by the test
/// command into <c>tests/lint</c>): no error, no warning.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class OpenApiLintTests(ClusterFixture fixture)
{
    [Fact]
    public async Task TheOpenApiDescriptionHasNoSpectralFinding()
    {
        var spectral = Spectral();
        var document = Path.Combine(Path.GetTempPath(), $"actors-openapi-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(document, await fixture.Http.GetStringAsync("/openapi/v1.json"));
        var ruleset = Path.Combine(Repository, "tests", "lint", ".spectral.yaml");
        var run = Process.Start(new ProcessStartInfo(spectral, ["lint", "--ruleset", ruleset, "--format", "text", "--fail-severity", "hint", document])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = await run.StandardOutput.ReadToEndAsync() + await run.StandardError.ReadToEndAsync();
        await run.WaitForExitAsync();
        Assert.True(run.ExitCode == 0, $"Spectral found problems in {document} (kept for a look):\n" + output);
        File.Delete(document);
    }

    [Fact]
    public async Task DocsAreServedFromThisHostAloneWithoutOutsideServices()
    {
        var html = await fixture.Http.GetStringAsync("/docs");
        // Every script, style and link the page loads is on this host (relative), none on another.
        var urls = System.Text.RegularExpressions.Regex.Matches(html, "(?:src|href)=\"([^\"]+)\"").Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(urls);
        Assert.All(urls, url => Assert.False(url.Contains("//", StringComparison.Ordinal), $"/docs loads {url} from another host:\n{html}"));
        // Scalar's configuration: no outside fonts, no proxy, no client-generator buttons, no telemetry.
        Assert.Contains("\"withDefaultFonts\":false", html);
        Assert.Contains("\"hideClientButton\":true", html);
        Assert.Contains("\"telemetry\":false", html);
        Assert.DoesNotContain("proxy.scalar.com", html);
        foreach (var script in urls.Where(u => u.EndsWith(".js", StringComparison.Ordinal)))
        {
            using var bundle = await fixture.Http.GetAsync(new Uri(new Uri(fixture.Http.BaseAddress!, "/docs/"), script));
            Assert.True(bundle.StatusCode == System.Net.HttpStatusCode.OK, $"{script}: {(int)bundle.StatusCode}");
        }
    }

    private static string Repository
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Actors.sln")))
            {
                dir = dir.Parent;
            }
            return dir?.FullName ?? throw new InvalidOperationException("Actors.sln not found above " + AppContext.BaseDirectory);
        }
    }

    private static string Spectral()
    {
        var path = Environment.GetEnvironmentVariable("ACTORS_SPECTRAL") is { Length: > 0 } given
            ? given
            : Path.Combine(Repository, "tests", "lint", "node_modules", ".bin", "spectral");
        Assert.True(File.Exists(path), $"Spectral is not installed at {path}: ./scripts/test.sh installs it (npm ci in tests/lint).");
        return path;
    }
}
