using System.Net;
using System.Text.Json;
using Actors.Tests.Infrastructure;

namespace Actors.Tests.Jobs;

[Collection(ClusterCollection.Name)]
public sealed class JobApiTests(ClusterFixture fixture)
{
    private HttpClient Http => fixture.Http;

    private async Task<(HttpResponseMessage Response, string Location)> SubmitAsync(string token, object body, string? key = null)
    {
        var request = TestAuth.Request(HttpMethod.Post, "/jobs", token, body);
        if (key is not null) request.Headers.Add("Idempotency-Key", key);
        var response = await Http.SendAsync(request);
        return (response, response.Headers.Location?.OriginalString ?? "");
    }

    [Fact]
    public async Task SubmittedJobRunsToCompletionWithProgressAndResult()
    {
        var s = await Scenario.StartAsync(Http);
        var tenant = await s.CreateTenantAsync();
        var token = await s.UserTokenAsync(tenant, "reviewer");

        var (response, location) = await SubmitAsync(token, new { type = "diagnostics.sleep", parameters = new { steps = 3, step_ms = 20 } });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.StartsWith("/jobs/", location);

        var job = await Http.WaitForStatusAsync(token, location, "completed", "failed");
        Assert.Equal("completed", job.GetProperty("status").GetString());
        Assert.Equal(3, job.GetProperty("progress").GetProperty("processed").GetInt64());
        Assert.Equal(3, job.GetProperty("result").GetProperty("steps").GetInt32());
        Assert.Equal(1, job.GetProperty("attempts").GetInt32());
        var id = job.GetProperty("id").GetGuid();
        Assert.Equal("completed", await fixture.Database.ScalarAsync<string>("SELECT status FROM jobs WHERE id = @id", ("id", id)));
    }

    [Fact]
    public async Task IdempotencyKeyAnswersTheFirstJobAndRefusesAnotherBody()
    {
        var s = await Scenario.StartAsync(Http);
        var tenant = await s.CreateTenantAsync();
        var token = await s.UserTokenAsync(tenant, "admin");
        var body = new { type = "diagnostics.sleep", parameters = new { steps = 1, step_ms = 1 } };

        var (first, firstLocation) = await SubmitAsync(token, body, "import-2026-11-22");
        var (again, againLocation) = await SubmitAsync(token, body, "import-2026-11-22");
        var (other, _) = await SubmitAsync(token, new { type = "diagnostics.sleep", parameters = new { steps = 2 } }, "import-2026-11-22");

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        Assert.Equal(firstLocation, againLocation);
        Assert.True(again.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, other.StatusCode);
        Assert.Equal(1L, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM jobs WHERE tenant_id = @t", ("t", tenant)));
    }

    [Fact]
    public async Task CancelStopsARunningJobAndAQueuedJobNeverStarts()
    {
        var s = await Scenario.StartAsync(Http);
        var tenant = await s.CreateTenantAsync(new { max_concurrent_jobs = 1 });
        var token = await s.UserTokenAsync(tenant, "reviewer");

        var (_, running) = await SubmitAsync(token, new { type = "diagnostics.sleep", parameters = new { steps = 1000, step_ms = 50 } });
        await Http.WaitForStatusAsync(token, running, "processing");
        var (_, waiting) = await SubmitAsync(token, new { type = "diagnostics.sleep", parameters = new { steps = 1, step_ms = 1 } });
        Assert.Equal("queued", (await (await Http.SendAsync(HttpMethod.Get, waiting, token)).JsonAsync()).GetProperty("status").GetString());

        var cancelQueued = await Http.SendAsync(HttpMethod.Post, waiting + "/cancel", token);
        var cancelRunning = await Http.SendAsync(HttpMethod.Post, running + "/cancel", token);
        Assert.Equal(HttpStatusCode.OK, cancelQueued.StatusCode);
        Assert.Equal(HttpStatusCode.OK, cancelRunning.StatusCode);

        var stopped = await Http.WaitForStatusAsync(token, running, "cancelled", "completed", "failed");
        Assert.Equal("cancelled", stopped.GetProperty("status").GetString());
        Assert.True(stopped.GetProperty("progress").GetProperty("processed").GetInt64() < 1000);
        var never = await (await Http.SendAsync(HttpMethod.Get, waiting, token)).JsonAsync();
        Assert.Equal("cancelled", never.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, never.GetProperty("started_at").ValueKind);
        Assert.Equal(HttpStatusCode.Conflict, (await Http.SendAsync(HttpMethod.Post, waiting + "/cancel", token)).StatusCode);
    }

    [Fact]
    public async Task FailedAttemptsAreRetriedWithBackoffThenFailAndCanBeRetriedByHand()
    {
        var s = await Scenario.StartAsync(Http);
        var tenant = await s.CreateTenantAsync();
        var token = await s.UserTokenAsync(tenant, "reviewer");

        var (_, recovers) = await SubmitAsync(token, new { type = "diagnostics.sleep", parameters = new { steps = 1, step_ms = 1, fail_attempts = 2 }, max_attempts = 3 });
        var (_, fails) = await SubmitAsync(token, new { type = "diagnostics.sleep", parameters = new { steps = 1, step_ms = 1, fail_attempts = 5 }, max_attempts = 2 });

        var recovered = await Http.WaitForStatusAsync(token, recovers, "completed", "failed");
        Assert.Equal("completed", recovered.GetProperty("status").GetString());
        Assert.Equal(3, recovered.GetProperty("attempts").GetInt32());

        var failed = await Http.WaitForStatusAsync(token, fails, "failed", "completed");
        Assert.Equal("failed", failed.GetProperty("status").GetString());
        Assert.Equal(2, failed.GetProperty("attempts").GetInt32());
        Assert.Equal("diagnostic_failure", failed.GetProperty("error").GetProperty("code").GetString());

        var failedList = await (await Http.SendAsync(HttpMethod.Get, "/jobs/failed", token)).JsonAsync();
        Assert.Equal(1, failedList.GetProperty("total").GetInt64());
        Assert.Equal(failed.GetProperty("id").GetGuid(), failedList.GetProperty("items")[0].GetProperty("id").GetGuid());

        var retried = await (await Http.SendAsync(HttpMethod.Post, fails + "/retry", token)).JsonAsync();
        Assert.Contains(retried.GetProperty("status").GetString(), new[] { "queued", "processing" });
        Assert.Equal(HttpStatusCode.Conflict, (await Http.SendAsync(HttpMethod.Post, recovers + "/retry", token)).StatusCode);
    }

    [Fact]
    public async Task NoMoreThanTheTenantsLimitRunAtOnce()
    {
        var s = await Scenario.StartAsync(Http);
        var tenant = await s.CreateTenantAsync(new { max_concurrent_jobs = 2 });
        var token = await s.UserTokenAsync(tenant, "reviewer");

        for (var i = 0; i < 6; i++)
        {
            await SubmitAsync(token, new { type = "diagnostics.sleep", parameters = new { steps = 3, step_ms = 100 } });
        }

        await Wait.UntilAsync(async () =>
            await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM jobs WHERE tenant_id = @t AND status = 'completed'", ("t", tenant)) == 6,
            TimeSpan.FromSeconds(60), "all six jobs complete");
        // The most runs at once, from the stored [started_at, completed_at] of each (a run shorter than its
        // first heartbeat is never stored as processing, so the table's processing rows would not show it).
        var most = await fixture.Database.ScalarAsync<long>(
            """
            SELECT max(running) FROM (
                SELECT sum(delta) OVER (ORDER BY at, delta) AS running FROM (
                    SELECT started_at AS at, 1 AS delta FROM jobs WHERE tenant_id = @t
                    UNION ALL SELECT completed_at, -1 FROM jobs WHERE tenant_id = @t) e) r
            """, ("t", tenant));
        Assert.Equal(2L, most);

        var list = await (await Http.SendAsync(HttpMethod.Get, "/jobs?status=completed&limit=4", token)).JsonAsync();
        Assert.Equal(6, list.GetProperty("total").GetInt64());
        Assert.Equal(4, list.GetProperty("items").GetArrayLength());
        var rest = await (await Http.SendAsync(HttpMethod.Get, "/jobs?status=completed&limit=4&cursor=" + list.GetProperty("next").GetString(), token)).JsonAsync();
        Assert.Equal(2, rest.GetProperty("items").GetArrayLength());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, rest.GetProperty("next").ValueKind);
        // A type filter has no counter: no total, the same rows.
        var byType = await (await Http.SendAsync(HttpMethod.Get, "/jobs?status=completed&type=diagnostics.sleep&limit=4", token)).JsonAsync();
        Assert.Equal(System.Text.Json.JsonValueKind.Null, byType.GetProperty("total").ValueKind);
        Assert.Equal(4, byType.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task AnotherTenantsJobReadsAsAbsent()
    {
        var s = await Scenario.StartAsync(Http);
        var owner = await s.CreateTenantAsync();
        var other = await s.CreateTenantAsync();
        var ownerToken = await s.UserTokenAsync(owner, "admin");
        var otherToken = await s.UserTokenAsync(other, "admin");
        var (_, location) = await SubmitAsync(ownerToken, new { type = "diagnostics.sleep", parameters = new { steps = 1, step_ms = 1 } });

        Assert.Equal(HttpStatusCode.NotFound, (await Http.SendAsync(HttpMethod.Get, location, otherToken)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Http.SendAsync(HttpMethod.Post, location + "/cancel", otherToken)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Http.SendAsync(HttpMethod.Post, location + "/retry", otherToken)).StatusCode);
        var list = await (await Http.SendAsync(HttpMethod.Get, "/jobs", otherToken)).JsonAsync();
        Assert.Equal(0, list.GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task ViewerReadsJobsButCannotSubmitAndBadRequestsWriteNothing()
    {
        var s = await Scenario.StartAsync(Http);
        var tenant = await s.CreateTenantAsync();
        var viewer = await s.UserTokenAsync(tenant, "viewer");
        var admin = await s.UserTokenAsync(tenant, "admin");

        Assert.Equal(HttpStatusCode.Forbidden, (await SubmitAsync(viewer, new { type = "diagnostics.sleep" })).Response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Http.SendAsync(HttpMethod.Get, "/jobs", viewer)).StatusCode);

        var unknownType = await SubmitAsync(admin, new { type = "rm.rf", parameters = new { } });
        var badParameters = await SubmitAsync(admin, new { type = "diagnostics.sleep", parameters = new { steps = -4 } });
        var notObject = await SubmitAsync(admin, new { type = "diagnostics.sleep", parameters = new[] { 1, 2 } });
        Assert.Equal(HttpStatusCode.BadRequest, unknownType.Response.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badParameters.Response.StatusCode);
        Assert.True((await badParameters.Response.JsonAsync()).GetProperty("errors").TryGetProperty("parameters.steps", out _));
        Assert.Equal(HttpStatusCode.BadRequest, notObject.Response.StatusCode);
        Assert.Equal(0L, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM jobs WHERE tenant_id = @t", ("t", tenant)));
    }

    [Fact]
    public async Task JobsHealthAndMetricsReportTheQueue()
    {
        var health = await Http.GetAsync("/healthz/jobs");
        var body = await health.JsonAsync();
        var metrics = await Http.GetStringAsync("/metrics");

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        foreach (var field in new[] { "queued", "processing", "stuck", "failed_last24h", "oldest_queued_age_seconds" })
        {
            Assert.True(body.TryGetProperty(field, out _), $"no {field}");
        }
        Assert.Contains("job_queue_size ", metrics);
        Assert.Contains("jobs_stuck ", metrics);
    }
}
