using System.Net;
using Actors.Tests.Infrastructure;

namespace Actors.Tests.Foundation;

/// <summary>
/// The counters (sql/0010) are written by the same statement as each row they count: after concurrent
/// creates, decisions, jobs, schedules and users, every counter of the tenant equals a count of its table.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class CountersTests(ClusterFixture fixture)
{
    private HttpClient Http => fixture.Http;

    [Fact]
    public async Task EveryCounterEqualsACountOfItsTableAfterConcurrentChanges()
    {
        var s = await Scenario.StartAsync(Http);
        var tenant = await s.CreateTenantAsync(new { requests_per_second = 10_000 });
        var admin = await s.UserTokenAsync(tenant, "admin");

        var created = await Task.WhenAll(Enumerable.Range(0, 30).Select(async i =>
        {
            var response = await Http.SendAsync(HttpMethod.Post, "/candidates", admin,
                new { company_name = $"Counted {i}", contact_email = $"c{i}@count.example", products = new[] { "p" } });
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            return response.Headers.Location!.OriginalString;
        }));
        var decisions = await Task.WhenAll(created.Take(15).Select((location, i) => i < 10
            ? Http.SendAsync(HttpMethod.Post, location + "/approve", admin)
            : Http.SendAsync(HttpMethod.Post, location + "/reject", admin, new { reason = "counted" })));
        Assert.All(decisions, d => Assert.Equal(HttpStatusCode.OK, d.StatusCode));

        var batch = await (await Http.SendAsync(HttpMethod.Post, "/jobs/batch", admin, new
        {
            jobs = Enumerable.Range(0, 6).Select(i => new { type = "diagnostics.sleep", parameters = new { steps = 1, step_ms = 1, fail_attempts = i < 2 ? 1 : 0 }, max_attempts = 1 }).ToArray(),
        })).JsonAsync();
        foreach (var item in batch.GetProperty("items").EnumerateArray())
        {
            await Http.WaitForStatusAsync(admin, $"/jobs/{item.GetProperty("id").GetGuid()}", "completed", "failed");
        }

        var schedules = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var response = await Http.SendAsync(HttpMethod.Post, "/schedules", admin, new
            {
                name = $"counted {i}", cron = "0 0 1 1 *", time_zone = "UTC", job = new { type = "diagnostics.sleep", parameters = new { steps = 1 } },
            });
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            schedules.Add(response.Headers.Location!.OriginalString);
        }
        Assert.Equal(HttpStatusCode.NoContent, (await Http.SendAsync(HttpMethod.Delete, schedules[0], admin)).StatusCode);

        var gone = $"gone-{Guid.NewGuid():N}@{tenant}.test";
        await s.UserTokenAsync(tenant, "viewer", gone);
        Assert.Equal(HttpStatusCode.NoContent, (await Http.SendAsync(HttpMethod.Delete, $"/tenants/{tenant}/users/{gone}", s.OperatorToken)).StatusCode);

        Assert.Equal("approved=10,pending=15,rejected=5", await Counted("candidate.status"));
        Assert.Equal(await Actual("SELECT status, count(*) FROM candidates WHERE tenant_id = @t GROUP BY status"), await Counted("candidate.status"));
        Assert.Equal(await Actual("SELECT provisioning, count(*) FROM candidates WHERE tenant_id = @t GROUP BY provisioning"), await Counted("candidate.provisioning"));
        Assert.Equal("completed=4,failed=2", await Counted("job.status"));
        Assert.Equal(await Actual("SELECT status, count(*) FROM jobs WHERE tenant_id = @t GROUP BY status"), await Counted("job.status"));
        Assert.Equal("active=2", await Counted("schedule"));
        Assert.Equal(await Actual("SELECT 'active', count(*) FROM users WHERE tenant_id = @t AND NOT deleted GROUP BY 1"), await Counted("user"));

        // The stats route reads the same counters.
        var stats = await (await Http.SendAsync(HttpMethod.Get, "/candidates/stats", admin)).JsonAsync();
        Assert.Equal(30, stats.GetProperty("total").GetInt64());

        async Task<string?> Counted(string kind) => await fixture.Database.ScalarAsync<string>(
            "SELECT string_agg(key || '=' || n, ',' ORDER BY key) FROM (SELECT key, sum(n) n FROM counters WHERE tenant_id = @t AND kind = @k GROUP BY key HAVING sum(n) <> 0) c",
            ("t", tenant), ("k", kind));

        async Task<string?> Actual(string groupBy) => await fixture.Database.ScalarAsync<string>(
            $"SELECT string_agg(k || '=' || n, ',' ORDER BY k) FROM ({groupBy}) AS x(k, n)", ("t", tenant));
    }
}
