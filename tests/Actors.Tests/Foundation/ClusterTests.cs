using System.Net;
using System.Text.Json;
using Actors.Contracts;
using Actors.Contracts.Tenants;
using Actors.Tests.Infrastructure;

namespace Actors.Tests.Foundation;

[Collection(ClusterCollection.Name)]
public sealed class ClusterTests(ClusterFixture fixture)
{
    [Fact]
    public async Task TenantStateRoundTripsThroughItsTypedRow()
    {
        var slug = "rt" + Guid.NewGuid().ToString("N")[..8];
        var grain = fixture.Grains.GetGrain<ITenantGrain>(GrainKeys.Tenant(slug));
        await grain.CreateAsync(new TenantDraft("Round Trip Ltd", new TenantSettings { MaxConcurrentJobs = 7 }));

        // Drop the activation so the next call must read what PostgreSQL holds.
        await fixture.Cluster.DeactivateAsync((IAddressable)grain);
        var reloaded = await grain.GetAsync();

        Assert.NotNull(reloaded);
        Assert.Equal("Round Trip Ltd", reloaded.Name);
        Assert.Equal(7, reloaded.Settings.MaxConcurrentJobs);

        // One typed row, no JSON copy.
        Assert.Equal("Round Trip Ltd|active|7|1", await fixture.Database.ScalarAsync<string>(
            "SELECT name || '|' || status || '|' || (settings->>'max_concurrent_jobs') || '|' || version FROM tenants WHERE id = @slug", ("slug", slug)));
        Assert.Equal(0L, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM grain_state WHERE graintypestring = 'tenant'"));
    }

    [Fact]
    public async Task ApiReadyzIs200AndLivezAnswersAgainstARunningCluster()
    {
        var ready = await fixture.Http.GetAsync("/readyz");
        var live = await fixture.Http.GetAsync("/livez");
        var detailed = await fixture.Http.GetAsync("/health/detailed");

        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        using var body = JsonDocument.Parse(await detailed.Content.ReadAsStringAsync());
        var checks = body.RootElement.GetProperty("checks");
        Assert.Equal("healthy", checks.GetProperty("database").GetProperty("status").GetString());
        Assert.True(checks.GetProperty("database").GetProperty("response_time_ms").GetDouble() >= 0);
        Assert.Equal(2, checks.GetProperty("cluster").GetProperty("active_silos").GetArrayLength());
    }

    [Fact]
    public async Task HealthSummaryNamesServiceVersionAndDatabase()
    {
        var response = await fixture.Http.GetAsync("/health");
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("healthy", body.RootElement.GetProperty("status").GetString());
        Assert.Equal("actors-api", body.RootElement.GetProperty("service").GetString());
        Assert.Equal("connected", body.RootElement.GetProperty("database").GetString());
        Assert.False(string.IsNullOrEmpty(body.RootElement.GetProperty("version").GetString()));
    }

    [Fact]
    public async Task MetricsExposeOrleansMeterFromTheFirstScrape()
    {
        var text = await fixture.Http.GetStringAsync("/metrics");

        Assert.True(text.Contains("service_up{service=\"api\"} 1"), string.Join("\n", text.Split("\n").Where(l => l.Contains("service_up"))));
        Assert.Contains("orleans_", text);
    }

    [Fact]
    public async Task RequestMetricsAreLabelledByRouteTemplateNeverByRawPath()
    {
        var id = Guid.NewGuid();
        await fixture.Http.GetAsync($"/candidates/{id}");
        await fixture.Http.GetAsync($"/no-such-route/{id}");
        await fixture.Http.GetAsync("/tenants");
        await fixture.Http.PostAsync("/auth/login", new FormUrlEncodedContent(new Dictionary<string, string> { ["username"] = $"nobody-{id:N}@example.com", ["password"] = "wrong-password" }));

        var text = await fixture.Http.GetStringAsync("/metrics");

        Assert.Contains("http_requests_total{method=\"GET\",endpoint=\"/candidates/{id}\",status_code=\"401\"}", text);
        Assert.Contains("http_requests_total{method=\"GET\",endpoint=\"unmatched\",status_code=\"404\"}", text);
        Assert.Contains("http_request_duration_seconds_bucket{method=\"GET\",endpoint=\"/candidates/{id}\",le=\"2\"}", text);
        Assert.Contains("http_requests_total{method=\"GET\",endpoint=\"/tenants\",status_code=\"401\"}", text);
        // Answered by the exception handler, which clears the endpoint: still labelled by its route.
        Assert.Contains("http_requests_total{method=\"POST\",endpoint=\"/auth/login\",status_code=\"401\"}", text);
        Assert.DoesNotContain(id.ToString(), text);
        Assert.DoesNotContain(id.ToString("N"), text);
        Assert.Contains("database_up{service=\"api\"} 1", text);
        Assert.Contains("cluster_silos_active ", text);
        Assert.Contains("database_connections_active ", text);
    }

    [Fact]
    public async Task OpenApiNamesTheBearerSchemeOnProtectedOperationsAndTheHeadersTheApiReads()
    {
        using var body = JsonDocument.Parse(await fixture.Http.GetStringAsync("/openapi/v1.json"));
        var root = body.RootElement;
        var bearer = root.GetProperty("components").GetProperty("securitySchemes").GetProperty("bearer");
        Assert.Equal(("http", "bearer"), (bearer.GetProperty("type").GetString(), bearer.GetProperty("scheme").GetString()));

        JsonElement Operation(string path, string method) => root.GetProperty("paths").GetProperty(path).GetProperty(method);
        static bool Secured(JsonElement operation) =>
            operation.TryGetProperty("security", out var security) && security.EnumerateArray().Any(r => r.TryGetProperty("bearer", out _));
        static string[] Headers(JsonElement operation) => operation.TryGetProperty("parameters", out var parameters)
            ? parameters.EnumerateArray().Where(p => p.GetProperty("in").GetString() == "header").Select(p => p.GetProperty("name").GetString()!).Order().ToArray()
            : [];

        Assert.True(Secured(Operation("/candidates", "post")));
        Assert.True(Secured(Operation("/tenants", "get")));
        Assert.False(Secured(Operation("/livez", "get")));
        Assert.False(Secured(Operation("/auth/login", "post")));
        Assert.Equal(["Idempotency-Key", "X-Tenant-Id"], Headers(Operation("/candidates", "post")));
        Assert.Equal(["Idempotency-Key", "X-Tenant-Id"], Headers(Operation("/candidates/{id}/approve", "post")));
        Assert.Equal(["If-Match", "X-Tenant-Id"], Headers(Operation("/candidates/{id}", "patch")));
        Assert.Equal(["X-Tenant-Id"], Headers(Operation("/jobs/batch", "post")));
        Assert.Empty(Headers(Operation("/tenants", "get")));
    }

    [Fact]
    public async Task OpenApiDescribesEveryResourceAndDocsAreServed()
    {
        var openapi = await fixture.Http.GetAsync("/openapi/v1.json");
        var docs = await fixture.Http.GetAsync("/docs");

        Assert.Equal(HttpStatusCode.OK, openapi.StatusCode);
        using var body = JsonDocument.Parse(await openapi.Content.ReadAsStringAsync());
        var paths = body.RootElement.GetProperty("paths");
        foreach (var path in new[] { "/auth/login", "/tenants", "/tenants/{id}/users", "/jobs", "/jobs/{id}", "/schedules", "/candidates", "/candidates/{id}/approve", "/healthz/jobs",
                                     "/livez", "/readyz", "/health", "/healthz", "/health/detailed", "/metrics", "/dashboard" })
        {
            Assert.True(paths.TryGetProperty(path, out _), $"{path} is not in the OpenAPI description");
        }
        // Every resource operation documents its refusals, each as problem details.
        foreach (var path in paths.EnumerateObject().Where(p => !p.Name.StartsWith("/health") && p.Name is not ("/" or "/livez" or "/readyz" or "/metrics" or "/ping")))
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                var errors = operation.Value.GetProperty("responses").EnumerateObject().Where(r => r.Name[0] is '4' or '5').ToList();
                Assert.True(errors.Count > 0, $"{operation.Name} {path.Name} documents no error response");
                foreach (var error in errors)
                {
                    Assert.True(error.Value.TryGetProperty("content", out var content) && content.TryGetProperty("application/problem+json", out _),
                        $"{operation.Name} {path.Name} {error.Name} is not documented as problem details");
                }
            }
        }
        Assert.Equal(HttpStatusCode.OK, docs.StatusCode);
    }

    [Fact]
    public async Task ResponsesCarryRequestIdAndProcessTime()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/health");
        request.Headers.Add("X-Request-Id", "trace-me-123");

        var echoed = await fixture.Http.SendAsync(request);
        var generated = await fixture.Http.GetAsync("/nowhere");

        Assert.Equal("trace-me-123", echoed.Headers.GetValues("X-Request-Id").Single());
        Assert.True(double.TryParse(echoed.Headers.GetValues("X-Process-Time").Single(), System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds >= 0);
        Assert.False(string.IsNullOrEmpty(generated.Headers.GetValues("X-Request-Id").Single()));
    }

    [Fact]
    public async Task UnknownRouteIsProblemDetails404()
    {
        var response = await fixture.Http.GetAsync("/no-such-route");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
