using System.Net;
using System.Text.Json;
using Actors.Tests.Infrastructure;

namespace Actors.Tests.Foundation;

/// <summary>The API started with no silo in its cluster, or with no database at all.</summary>
public sealed class NoClusterTests
{
    [Fact]
    public async Task ApiWithoutAClusterIsLiveButNotReady()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var api = new ApiHost(db.ConnectionString, "empty" + Guid.NewGuid().ToString("N")[..8]);
        using var http = api.StartHttp();

        var live = await http.GetAsync("/livez");
        var ready = await http.GetAsync("/readyz");
        var health = await http.GetAsync("/health/detailed");

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.True(ready.Headers.Contains("Retry-After"));
        using var body = JsonDocument.Parse(await health.Content.ReadAsStringAsync());
        Assert.Equal("healthy", body.RootElement.GetProperty("checks").GetProperty("database").GetProperty("status").GetString());
        Assert.Equal("unhealthy", body.RootElement.GetProperty("checks").GetProperty("cluster").GetProperty("status").GetString());
    }

    [Fact]
    public async Task AnApiWithASettingOutOfRangeDoesNotStartAndNamesTheSetting()
    {
        await using var db = await TestDatabase.CreateAsync();
        // The heartbeat is 10 s by default: a job would look stuck between two heartbeats.
        var api = new ApiHost(db.ConnectionString, "bad" + Guid.NewGuid().ToString("N")[..8],
            new Dictionary<string, string?> { ["Jobs:StuckAfter"] = "00:00:05" });
        var refused = Assert.ThrowsAny<Exception>(() => api.StartHttp());
        Assert.Contains("Jobs:StuckAfter must be at least twice Jobs:HeartbeatInterval", refused.ToString(), StringComparison.Ordinal);
        try { await api.DisposeAsync(); } catch (Exception) { /* the host never started */ }
    }

    [Fact]
    public async Task ApiWithoutADatabaseSaysSoWith503()
    {
        var unreachable = $"Host=127.0.0.1;Port={ApiHost.FreePort()};Database=none;Username=actors;Password=actors;Timeout=2";
        await using var api = new ApiHost(unreachable, "nodb" + Guid.NewGuid().ToString("N")[..8]);
        using var http = api.StartHttp();

        var ready = await http.GetAsync("/readyz");
        var health = await http.GetAsync("/health");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        using var body = JsonDocument.Parse(await health.Content.ReadAsStringAsync());
        Assert.Equal("unreachable", body.RootElement.GetProperty("database").GetString());
    }
}
