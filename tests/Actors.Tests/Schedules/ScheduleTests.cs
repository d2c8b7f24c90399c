using Actors.Contracts.Schedules;
using System.Net;
using Actors.Tests.Infrastructure;

namespace Actors.Tests.Schedules;

[Collection(ClusterCollection.Name)]
public sealed class ScheduleTests(ClusterFixture fixture)
{
    private HttpClient Http => fixture.Http;

    private async Task<Guid> CreateAsync(string token, string missedPolicy)
    {
        var response = await Http.SendAsync(HttpMethod.Post, "/schedules", token, new
        {
            name = "every minute " + missedPolicy,
            cron = "* * * * *",
            time_zone = "UTC",
            job = new { type = "diagnostics.sleep", parameters = new { steps = 1, step_ms = 1 } },
            missed_policy = missedPolicy,
            overlap_policy = "allow",
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.JsonAsync()).GetProperty("id").GetGuid();
    }

    [Theory]
    [InlineData("run_all", 5)]
    [InlineData("run_once", 1)]
    public async Task ScheduleThatMissedFiveRunsCatchesUpByItsPolicy(string policy, int expectedRuns)
    {
        var s = await Scenario.StartAsync(Http);
        var tenant = await s.CreateTenantAsync(new { max_concurrent_jobs = 10 });
        var admin = await s.UserTokenAsync(tenant, "admin");
        var id = await CreateAsync(admin, policy);
        var grain = fixture.Grains.GetGrain<IScheduleGrain>(id, tenant);

        // The cluster "was down" for five occurrences: its last handled run is five minutes back.
        await fixture.Cluster.DeactivateAsync((IAddressable)grain);
        await fixture.Database.ScalarAsync<int>(
            """
            UPDATE schedules SET last_run_at = date_trunc('minute', now()) - interval '5 minutes' WHERE id = @id
            """, ("id", id));

        var submitted = await grain.TickAsync();
        var again = await grain.TickAsync();

        Assert.Equal(expectedRuns, submitted);
        Assert.Equal(0, again);
        Assert.Equal((long)expectedRuns, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM jobs WHERE schedule_id = @id", ("id", id)));
    }

    [Fact]
    public async Task SchedulesCanBeTriggeredPausedAndAreValidated()
    {
        var s = await Scenario.StartAsync(Http);
        var tenant = await s.CreateTenantAsync();
        var admin = await s.UserTokenAsync(tenant, "admin");
        var id = await CreateAsync(admin, "skip");

        var trigger = await Http.SendAsync(HttpMethod.Post, $"/schedules/{id}/trigger", admin);
        Assert.Equal(HttpStatusCode.Accepted, trigger.StatusCode);
        var jobLocation = trigger.Headers.Location!.OriginalString;
        await Http.WaitForStatusAsync(admin, jobLocation, "completed");

        var paused = await (await Http.SendAsync(HttpMethod.Post, $"/schedules/{id}/pause", admin)).JsonAsync();
        Assert.True(paused.GetProperty("paused").GetBoolean());
        Assert.Equal(0, await fixture.Grains.GetGrain<IScheduleGrain>(id, tenant).TickAsync());

        var list = await (await Http.SendAsync(HttpMethod.Get, "/schedules", admin)).JsonAsync();
        Assert.Equal(1, list.GetProperty("total").GetInt64());
        var pastTheEnd = await (await Http.SendAsync(HttpMethod.Get, "/schedules?offset=5", admin)).JsonAsync();
        Assert.Equal(0, pastTheEnd.GetProperty("items").GetArrayLength());
        Assert.Equal(1, pastTheEnd.GetProperty("total").GetInt64());

        var bad = await Http.SendAsync(HttpMethod.Post, "/schedules", admin, new
        {
            name = "bad", cron = "61 * * * *", time_zone = "Mars/Olympus", job = new { type = "billing.provision" }, missed_policy = "sometimes",
        });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await bad.JsonAsync()).GetProperty("errors");
        foreach (var field in new[] { "cron", "time_zone", "job.type", "missed_policy" })
        {
            Assert.True(errors.TryGetProperty(field, out _), $"no error for {field}");
        }

        Assert.Equal(HttpStatusCode.NoContent, (await Http.SendAsync(HttpMethod.Delete, $"/schedules/{id}", admin)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Http.SendAsync(HttpMethod.Get, $"/schedules/{id}", admin)).StatusCode);
    }
}
