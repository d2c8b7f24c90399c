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

    /// <summary>
    /// A bad value of each settings section the API reads is refused when it starts, with its message;
    /// the host stops before it touches the database, so none is needed.
    /// </summary>
    [Theory]
    [InlineData("Orleans:GatewayPort", "70000", "Orleans:GatewayPort must be 1-65535")]
    [InlineData("Orleans:ResponseTimeoutSeconds", "0", "Orleans:ResponseTimeoutSeconds must be 1-300")]
    [InlineData("Auth:SigningKeys:0", "too-short", "Auth:SigningKeys must hold at least one key of 32 bytes or more (Auth__SigningKeys__0)")]
    [InlineData("Auth:SigningKeys:0", "base64:not base64!", "Auth:SigningKeys must hold at least one key of 32 bytes or more")]
    [InlineData("Auth:TokenLifetimeMinutes", "0", "Auth:TokenLifetimeMinutes must be between 1 and 1440.")]
    [InlineData("Auth:Issuer", " ", "Auth:Issuer and Auth:Audience must be set.")]
    [InlineData("Imports:BatchRows", "0", "Imports:BatchRows must be 1 to 50000")]
    [InlineData("Outbound:AllowLoopback", "yes", "'yes' at 'Outbound:AllowLoopback'")]
    [InlineData("Outbound:AllowPrivateNetworks", "sometimes", "'sometimes' at 'Outbound:AllowPrivateNetworks'")]
    [InlineData("Bootstrap:OperatorEmail", "operator", "Bootstrap:OperatorEmail must be an email address")]
    [InlineData("Bootstrap:TenantId", "Acme Corp", "Bootstrap:TenantId must be a slug")]
    [InlineData("Bootstrap:TenantAdminEmail", "admin@acme", "Bootstrap:TenantAdminEmail must be an email address")]
    public void AnApiWithABadSettingDoesNotStartAndSaysWhy(string key, string value, string refusal)
    {
        var unreachable = $"Host=127.0.0.1;Port={ApiHost.FreePort()};Database=none;Username=actors;Password=actors;Timeout=2";
        var api = new ApiHost(unreachable, "bad" + Guid.NewGuid().ToString("N")[..8], new Dictionary<string, string?> { [key] = value });
        var refused = Assert.ThrowsAny<Exception>(() => api.StartHttp());
        Assert.Contains(refusal, refused.ToString(), StringComparison.Ordinal);
        try { api.Dispose(); } catch (Exception) { /* the host never started */ }
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
