using System.Net;
using System.Text.Json;
using Actors.Tests.Infrastructure;

namespace Actors.Tests.Jobs;

[Collection(ClusterCollection.Name)]
public sealed class JobBatchTests(ClusterFixture fixture)
{
    private HttpClient Http => fixture.Http;

    private static object Sleep(string? key, int steps = 1, int stepMs = 1) =>
        new { type = "diagnostics.sleep", parameters = new { steps, step_ms = stepMs }, idempotency_key = key };

    [Fact]
    public async Task ABatchAnswersEachItemsJobOrProblemInOrderAndReplaysKeyedItems()
    {
        var s = await Scenario.StartAsync(Http);
        var tenant = await s.CreateTenantAsync();
        var token = await s.UserTokenAsync(tenant, "reviewer");
        object[] jobs =
        [
            Sleep("k-1"),
            new { type = "billing.provision", parameters = new { } },
            Sleep("k-2"),
            new { type = "diagnostics.sleep", parameters = 5 },
            Sleep("has space"),
            Sleep(null),
        ];

        var response = await Http.SendAsync(HttpMethod.Post, "/jobs/batch", token, new { jobs });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.JsonAsync();
        Assert.Equal((3, 3), (body.GetProperty("accepted").GetInt32(), body.GetProperty("refused").GetInt32()));
        var items = body.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal([0, 1, 2, 3, 4, 5], items.Select(i => i.GetProperty("index").GetInt32()));
        Assert.Equal(["queued", null, "queued", null, null, "queued"], items.Select(i => i.GetProperty("status").ValueKind == JsonValueKind.Null ? null : i.GetProperty("status").GetString()));
        Assert.Equal("jobs[1].type", Field(items[1]));
        Assert.Equal("jobs[3].parameters", Field(items[3]));
        Assert.Equal("jobs[4].idempotency_key", Field(items[4]));
        Assert.All(new[] { items[1], items[3], items[4] }, i => Assert.Equal(400, i.GetProperty("problem").GetProperty("status").GetInt32()));

        // Every accepted job really runs.
        foreach (var accepted in new[] { items[0], items[2], items[5] })
        {
            var job = await Http.WaitForStatusAsync(token, $"/jobs/{accepted.GetProperty("id").GetGuid()}", "completed", "failed");
            Assert.Equal("completed", job.GetProperty("status").GetString());
        }

        // The same keys again: the first jobs, marked replayed; a key with another body is that item's 422.
        var again = await (await Http.SendAsync(HttpMethod.Post, "/jobs/batch", token, new { jobs = new[] { Sleep("k-2"), Sleep("k-1", steps: 2) } })).JsonAsync();
        var replayed = again.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(items[2].GetProperty("id").GetGuid(), replayed[0].GetProperty("id").GetGuid());
        Assert.True(replayed[0].GetProperty("replayed").GetBoolean());
        Assert.Equal(422, replayed[1].GetProperty("problem").GetProperty("status").GetInt32());
        Assert.EndsWith("/idempotency_key_reused", replayed[1].GetProperty("problem").GetProperty("type").GetString());
        Assert.Equal(3L, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM jobs WHERE tenant_id = @t", ("t", tenant)));
    }

    [Fact]
    public async Task ItemsPastTheTenantsActiveJobLimitAreRefusedAndTheBatchSizeIsBounded()
    {
        var s = await Scenario.StartAsync(Http);
        var tenant = await s.CreateTenantAsync(new { max_active_jobs = 5 });
        var token = await s.UserTokenAsync(tenant, "reviewer");

        var body = await (await Http.SendAsync(HttpMethod.Post, "/jobs/batch", token,
            new { jobs = Enumerable.Range(0, 7).Select(i => Sleep($"cap-{i}", steps: 600, stepMs: 100)).ToArray() })).JsonAsync();
        Assert.Equal((5, 2), (body.GetProperty("accepted").GetInt32(), body.GetProperty("refused").GetInt32()));
        Assert.All(body.GetProperty("items").EnumerateArray().Where(i => i.GetProperty("problem").ValueKind != JsonValueKind.Null),
            i => Assert.EndsWith("/limit_exceeded", i.GetProperty("problem").GetProperty("type").GetString()));
        // Items past the room are the last ones, in order; the first five were queued.
        Assert.Equal([true, true, true, true, true, false, false],
            body.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("problem").ValueKind == JsonValueKind.Null));
        Assert.Equal(5L, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM jobs WHERE tenant_id = @t", ("t", tenant)));
        // At the cap, a replay is still answered (it takes no room) while a new job is refused.
        var atCap = (await (await Http.SendAsync(HttpMethod.Post, "/jobs/batch", token,
            new { jobs = new[] { Sleep("cap-0", steps: 600, stepMs: 100), Sleep("cap-new", steps: 600, stepMs: 100) } })).JsonAsync()).GetProperty("items").EnumerateArray().ToList();
        Assert.True(atCap[0].GetProperty("replayed").GetBoolean());
        Assert.EndsWith("/limit_exceeded", atCap[1].GetProperty("problem").GetProperty("type").GetString());

        foreach (var count in new[] { 0, 1001 })
        {
            var refused = await Http.SendAsync(HttpMethod.Post, "/jobs/batch", token, new { jobs = Enumerable.Range(0, count).Select(_ => Sleep(null)).ToArray() });
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.True((await refused.JsonAsync()).GetProperty("errors").TryGetProperty("jobs", out _));
        }
        Assert.Equal(5L, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM jobs WHERE tenant_id = @t", ("t", tenant)));

        // The minute-long jobs are not needed any more.
        foreach (var item in body.GetProperty("items").EnumerateArray().Where(i => i.GetProperty("problem").ValueKind == JsonValueKind.Null))
        {
            Assert.Equal(HttpStatusCode.OK, (await Http.SendAsync(HttpMethod.Post, $"/jobs/{item.GetProperty("id").GetGuid()}/cancel", token)).StatusCode);
        }
    }

    private static string Field(JsonElement item) =>
        item.GetProperty("problem").GetProperty("errors").EnumerateObject().Single().Name;
}
