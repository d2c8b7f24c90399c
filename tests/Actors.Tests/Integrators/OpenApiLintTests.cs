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

    /// <summary>
    /// Required fields are the ones the validators require (a candidate's phone and products are
    /// optional), and each write's example body, read from the served description, is accepted as is.
    /// </summary>
    [Fact]
    public async Task RequiredFieldsAreTrueToTheValidatorsAndEveryExampleBodyIsAccepted()
    {
        using var document = System.Text.Json.JsonDocument.Parse(await fixture.Http.GetStringAsync("/openapi/v1.json"));
        var schemas = document.RootElement.GetProperty("components").GetProperty("schemas");
        string[] Required(string schema) => schemas.GetProperty(schema).TryGetProperty("required", out var r)
            ? r.EnumerateArray().Select(e => e.GetString()!).Order().ToArray() : [];
        Assert.Equal(["company_name", "contact_email"], Required("CreateCandidateRequest"));
        Assert.Empty(Required("UpdateCandidateRequest"));
        Assert.Equal(["type"], Required("SubmitJobRequest"));
        Assert.Equal(["email", "password", "role"], Required("CreateUserRequest"));

        object Example(string path, string method)
        {
            var body = document.RootElement.GetProperty("paths").GetProperty(path).GetProperty(method)
                .GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema");
            var schema = body.TryGetProperty("$ref", out var reference) ? schemas.GetProperty(reference.GetString()!.Split('/')[^1]) : body;
            return schema.GetProperty("examples")[0].Clone();
        }
        var s = await Scenario.StartAsync(fixture.Http);
        var tenant = await s.CreateTenantAsync();
        var admin = await s.UserTokenAsync(tenant, "admin");
        async Task<System.Text.Json.JsonElement> Accepted(HttpMethod method, string path, string token, object body, System.Net.HttpStatusCode expected)
        {
            using var response = await fixture.Http.SendAsync(method, path, token, body, tenant);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == expected, $"{method} {path} with its example answered {(int)response.StatusCode}: {text}");
            return System.Text.Json.JsonDocument.Parse(text).RootElement.Clone();
        }
        var candidate = await Accepted(HttpMethod.Post, "/candidates", admin, Example("/candidates", "post"), System.Net.HttpStatusCode.Created);
        var id = candidate.GetProperty("id").GetString();
        await Accepted(HttpMethod.Patch, $"/candidates/{id}", admin, Example("/candidates/{id}", "patch"), System.Net.HttpStatusCode.OK);
        await Accepted(HttpMethod.Post, $"/candidates/{id}/reject", admin, Example("/candidates/{id}/reject", "post"), System.Net.HttpStatusCode.OK);
        await Accepted(HttpMethod.Post, "/jobs", admin, Example("/jobs", "post"), System.Net.HttpStatusCode.Accepted);
        var batch = await Accepted(HttpMethod.Post, "/jobs/batch", admin, Example("/jobs/batch", "post"), System.Net.HttpStatusCode.OK);
        Assert.Equal(2, batch.GetProperty("accepted").GetInt32());
        await Accepted(HttpMethod.Post, "/schedules", admin, Example("/schedules", "post"), System.Net.HttpStatusCode.Created);
        await Accepted(HttpMethod.Post, $"/tenants/{tenant}/users", admin, Example("/tenants/{id}/users", "post"), System.Net.HttpStatusCode.Created);
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
