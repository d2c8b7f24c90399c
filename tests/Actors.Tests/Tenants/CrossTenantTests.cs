using System.Net;
using Actors.Tests.Infrastructure;

namespace Actors.Tests.Tenants;

/// <summary>
/// Two tenants; every route tried by tenant A's users against tenant B's resources. Extend
/// <see cref="Routes"/> as routes land: another tenant's resource must read as absent (404) or be
/// refused (403), never answered.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class CrossTenantTests(ClusterFixture fixture)
{
    private sealed record Probe(HttpMethod Method, string Path, object? Body, HttpStatusCode[] Expected);

    private static IEnumerable<Probe> Routes(string other, string otherUser) =>
    [
        new(HttpMethod.Get, $"/tenants/{other}/users", null, [HttpStatusCode.NotFound, HttpStatusCode.Forbidden]),
        new(HttpMethod.Post, $"/tenants/{other}/users", new { email = $"intruder-{Guid.NewGuid():N}@x.test", password = "password-123", role = "admin" },
            [HttpStatusCode.NotFound, HttpStatusCode.Forbidden]),
        new(HttpMethod.Get, $"/tenants/{other}/users/{otherUser}", null, [HttpStatusCode.NotFound, HttpStatusCode.Forbidden]),
        new(HttpMethod.Patch, $"/tenants/{other}/users/{otherUser}", new { role = "viewer" }, [HttpStatusCode.NotFound, HttpStatusCode.Forbidden]),
        new(HttpMethod.Delete, $"/tenants/{other}/users/{otherUser}", null, [HttpStatusCode.NotFound, HttpStatusCode.Forbidden]),
        new(HttpMethod.Get, $"/tenants/{other}", null, [HttpStatusCode.Forbidden]),
        new(HttpMethod.Patch, $"/tenants/{other}", new { name = "taken" }, [HttpStatusCode.Forbidden]),
        new(HttpMethod.Post, $"/tenants/{other}/suspend", null, [HttpStatusCode.Forbidden]),
        new(HttpMethod.Get, "/tenants", null, [HttpStatusCode.Forbidden]),
    ];

    [Theory]
    [InlineData("admin")]
    [InlineData("reviewer")]
    [InlineData("viewer")]
    public async Task UsersOfOneTenantCannotReachAnother(string role)
    {
        var s = await Scenario.StartAsync(fixture.Http);
        var mine = await s.CreateTenantAsync();
        var other = await s.CreateTenantAsync();
        var otherUser = $"victim@{other}.test";
        await s.UserTokenAsync(other, "admin", otherUser);
        var token = await s.UserTokenAsync(mine, role);

        foreach (var probe in Routes(other, otherUser))
        {
            var response = await fixture.Http.SendAsync(probe.Method, probe.Path, token, probe.Body);
            Assert.True(probe.Expected.Contains(response.StatusCode),
                $"{role} {probe.Method} {probe.Path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        // Naming the other tenant in X-Tenant-Id is refused outright.
        var header = await fixture.Http.SendAsync(HttpMethod.Get, "/auth/me", token, tenant: other);
        Assert.Equal(HttpStatusCode.Forbidden, header.StatusCode);

        // And nothing changed over there.
        var victim = await fixture.Http.SendAsync(HttpMethod.Get, $"/tenants/{other}/users/{otherUser}", s.OperatorToken);
        Assert.Equal("admin", (await victim.JsonAsync()).GetProperty("role").GetString());
        Assert.Equal(0L, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM users WHERE email LIKE 'intruder-%'"));
    }

    [Fact]
    public async Task OperatorSelectsATenantWithTheHeader()
    {
        var s = await Scenario.StartAsync(fixture.Http);
        var tenant = await s.CreateTenantAsync();

        var me = await (await fixture.Http.SendAsync(HttpMethod.Get, "/auth/me", s.OperatorToken, tenant: tenant)).JsonAsync();
        var missing = await fixture.Http.SendAsync(HttpMethod.Get, "/auth/me", s.OperatorToken, tenant: TestAuth.NewSlug("none"));

        Assert.Equal(tenant, me.GetProperty("tenant_id").GetString());
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task ViewerCannotManageUsersOfItsOwnTenant()
    {
        var s = await Scenario.StartAsync(fixture.Http);
        var tenant = await s.CreateTenantAsync();
        var viewer = await s.UserTokenAsync(tenant, "viewer");

        var response = await fixture.Http.SendAsync(HttpMethod.Post, $"/tenants/{tenant}/users", viewer,
            new { email = $"new@{tenant}.test", password = "password-123", role = "admin" });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }
}
