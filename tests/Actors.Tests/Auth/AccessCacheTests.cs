using System.Diagnostics;
using System.Net;
using Actors.Tests.Infrastructure;

namespace Actors.Tests.Auth;

/// <summary>
/// The API caches token versions and tenant admission for at most a second (AccessCache.Bound): with
/// two API processes, a change made through one takes effect at once there and within the bound on
/// the other.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class AccessCacheTests(ClusterFixture fixture)
{
    private static readonly TimeSpan Allowed = TimeSpan.FromSeconds(1) + TimeSpan.FromMilliseconds(400); // the bound + polling and a request

    [Fact]
    public async Task RoleChangeDeletionAndSuspensionReachASecondApiProcessWithinASecond()
    {
        await using var second = new ApiHost(fixture.Database.ConnectionString, fixture.Cluster.Options.ClusterId);
        using var other = second.StartHttp();
        await Wait.UntilAsync(async () => (await other.GetAsync("/readyz")).IsSuccessStatusCode, TimeSpan.FromSeconds(60), "second API ready");

        var scenario = await Scenario.StartAsync(fixture.Http);
        var tenant = await scenario.CreateTenantAsync();
        var changedEmail = $"changed-{Guid.NewGuid():N}@{tenant}.test";
        var changed = await scenario.UserTokenAsync(tenant, "reviewer", changedEmail);
        var deletedEmail = $"deleted-{Guid.NewGuid():N}@{tenant}.test";
        var deleted = await scenario.UserTokenAsync(tenant, "reviewer", deletedEmail);
        var stays = await scenario.UserTokenAsync(tenant, "reviewer");
        // Every token is known good on both processes (their caches are warm).
        foreach (var token in new[] { changed, deleted, stays })
        {
            Assert.Equal(HttpStatusCode.OK, (await fixture.Http.SendAsync(HttpMethod.Get, "/candidates", token)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await other.SendAsync(HttpMethod.Get, "/candidates", token)).StatusCode);
        }

        // A role change through the first API: refused there at once, on the second within the bound.
        Assert.Equal(HttpStatusCode.OK, (await fixture.Http.SendAsync(HttpMethod.Patch, $"/tenants/{tenant}/users/{changedEmail}", scenario.OperatorToken, new { role = "viewer" })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await fixture.Http.SendAsync(HttpMethod.Get, "/candidates", changed)).StatusCode);
        Assert.InRange(await TimeUntilAsync(other, changed, HttpStatusCode.Unauthorized), TimeSpan.Zero, Allowed);

        Assert.Equal(HttpStatusCode.NoContent, (await fixture.Http.SendAsync(HttpMethod.Delete, $"/tenants/{tenant}/users/{deletedEmail}", scenario.OperatorToken)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await fixture.Http.SendAsync(HttpMethod.Get, "/candidates", deleted)).StatusCode);
        Assert.InRange(await TimeUntilAsync(other, deleted, HttpStatusCode.Unauthorized), TimeSpan.Zero, Allowed);

        Assert.Equal(HttpStatusCode.OK, (await fixture.Http.SendAsync(HttpMethod.Post, $"/tenants/{tenant}/suspend", scenario.OperatorToken)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await fixture.Http.SendAsync(HttpMethod.Get, "/candidates", stays)).StatusCode);
        Assert.InRange(await TimeUntilAsync(other, stays, HttpStatusCode.Forbidden), TimeSpan.Zero, Allowed);

        // Activation is the same path back.
        Assert.Equal(HttpStatusCode.OK, (await fixture.Http.SendAsync(HttpMethod.Post, $"/tenants/{tenant}/activate", scenario.OperatorToken)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await fixture.Http.SendAsync(HttpMethod.Get, "/candidates", stays)).StatusCode);
        Assert.InRange(await TimeUntilAsync(other, stays, HttpStatusCode.OK), TimeSpan.Zero, Allowed);
    }

    /// <summary>How long until <paramref name="http"/> answers <paramref name="expected"/> to the token (fails after 5 s).</summary>
    private static async Task<TimeSpan> TimeUntilAsync(HttpClient http, string token, HttpStatusCode expected)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(5))
        {
            if ((await http.SendAsync(HttpMethod.Get, "/candidates", token)).StatusCode == expected)
            {
                return clock.Elapsed;
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"the second API never answered {expected}");
    }
}
