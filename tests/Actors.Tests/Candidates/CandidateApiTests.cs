using System.Net;
using System.Text.Json;
using Actors.Tests.Infrastructure;

namespace Actors.Tests.Candidates;

[Collection(ClusterCollection.Name)]
public sealed class CandidateApiTests(ClusterFixture fixture)
{
    private HttpClient Http => fixture.Http;

    private static object NewCandidate(string name = "Acme Supplies") =>
        new { company_name = name, contact_email = "ops@acme.example", contact_phone = "+44 20 7946 0000", products = new[] { "payments", "payroll" } };

    private async Task<(string Token, string Tenant)> ReviewerAsync(object? settings = null)
    {
        var s = await Scenario.StartAsync(Http);
        var tenant = await s.CreateTenantAsync(settings);
        return (await s.UserTokenAsync(tenant, "reviewer"), tenant);
    }

    private async Task<string> CreateAsync(string token, object? body = null)
    {
        var response = await Http.SendAsync(HttpMethod.Post, "/candidates", token, body ?? NewCandidate());
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return response.Headers.Location!.OriginalString;
    }

    [Fact]
    public async Task CreateReadAndPatchHonourETagAndIfMatch()
    {
        var (token, _) = await ReviewerAsync();
        var created = await Http.SendAsync(HttpMethod.Post, "/candidates", token, NewCandidate());
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("\"1\"", created.Headers.ETag?.ToString());
        var location = created.Headers.Location!.OriginalString;
        var body = await created.JsonAsync();
        Assert.Equal("pending", body.GetProperty("status").GetString());
        Assert.Equal("not_started", body.GetProperty("provisioning").GetString());

        var read = await Http.SendAsync(HttpMethod.Get, location, token);
        Assert.Equal("\"1\"", read.Headers.ETag?.ToString());

        var patch = TestAuth.Request(HttpMethod.Patch, location, token, new { company_name = "Acme Supplies Ltd" });
        patch.Headers.TryAddWithoutValidation("If-Match", "\"1\"");
        var patched = await Http.SendAsync(patch);
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        Assert.Equal("\"2\"", patched.Headers.ETag?.ToString());

        var stale = TestAuth.Request(HttpMethod.Patch, location, token, new { company_name = "Lost Update Ltd" });
        stale.Headers.TryAddWithoutValidation("If-Match", "\"1\"");
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await Http.SendAsync(stale)).StatusCode);
        Assert.Equal("Acme Supplies Ltd", (await (await Http.SendAsync(HttpMethod.Get, location, token)).JsonAsync()).GetProperty("company_name").GetString());
    }

    [Fact]
    public async Task IdempotentCreateAnswersTheFirstResultAndRefusesAnotherBody()
    {
        var (token, tenant) = await ReviewerAsync();
        async Task<HttpResponseMessage> Post(object body)
        {
            var request = TestAuth.Request(HttpMethod.Post, "/candidates", token, body);
            request.Headers.Add("Idempotency-Key", "signup-42");
            return await Http.SendAsync(request);
        }

        var first = await Post(NewCandidate());
        var again = await Post(NewCandidate());
        var other = await Post(NewCandidate("Someone Else"));

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(first.Headers.Location, again.Headers.Location);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, other.StatusCode);
        Assert.Equal(1L, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM candidates WHERE tenant_id = @t", ("t", tenant)));
    }

    [Fact]
    public async Task SixtyFourConcurrentDecisionsAreServedOneAtATimeAndTheRestGetAClear409()
    {
        await using var billing = await BillingStub.StartAsync();
        var (token, _) = await ReviewerAsync(new { billing_service_url = billing.Url });
        var location = await CreateAsync(token);

        var responses = await Task.WhenAll(Enumerable.Range(0, 64).Select(i =>
            Http.SendAsync(HttpMethod.Post, location + (i % 2 == 0 ? "/approve" : "/reject"), token, i % 2 == 0 ? null : new { reason = "duplicate" })));

        Assert.DoesNotContain(responses, r => (int)r.StatusCode >= 500);
        var winner = Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
        // The decision advanced the version once (provisioning may advance it again afterwards).
        Assert.Equal(2, (await winner.JsonAsync()).GetProperty("version").GetInt64());
        var conflicts = responses.Where(r => r.StatusCode == HttpStatusCode.Conflict).ToList();
        Assert.Equal(63, conflicts.Count);
        var candidate = await (await Http.SendAsync(HttpMethod.Get, location, token)).JsonAsync();
        var final = candidate.GetProperty("status").GetString();
        foreach (var conflict in conflicts)
        {
            Assert.Contains($"already {final}", (await conflict.JsonAsync()).GetProperty("detail").GetString());
        }
        // One decision entry after "created"; provisioning may append its own entries afterwards.
        var history = (await (await Http.SendAsync(HttpMethod.Get, location + "/history", token)).JsonAsync()).EnumerateArray().ToList();
        Assert.Equal("created", history[0].GetProperty("action").GetString());
        var decision = Assert.Single(history, h => h.GetProperty("action").GetString() is "approved" or "rejected");
        Assert.Equal(final, decision.GetProperty("to").GetString());
        Assert.Equal("pending", decision.GetProperty("from").GetString());
        Assert.All(history.Skip(2), h => Assert.Equal("provisioning", h.GetProperty("action").GetString()));
        if (final == "approved")
        {
            await Wait.UntilAsync(async () => (await (await Http.SendAsync(HttpMethod.Get, location, token)).JsonAsync())
                .GetProperty("provisioning").GetString() == "provisioned", TimeSpan.FromSeconds(30), "provisioned");
        }
        Assert.True(billing.Providers.Count <= 1);
    }

    [Fact]
    public async Task BadInputIs400ProblemDetailsAndWritesNothing()
    {
        var (token, tenant) = await ReviewerAsync();
        var huge = new string('x', 10 * 1024 * 1024);
        // A client that asks first (Expect: 100-continue) reads the refusal instead of a reset.
        var oversized = TestAuth.Request(HttpMethod.Post, "/candidates", token, new { company_name = huge, contact_email = "a@b.example" });
        oversized.Headers.ExpectContinue = true;
        oversized.Content = new StringContent(await oversized.Content!.ReadAsStringAsync(), System.Text.Encoding.UTF8, "application/json");

        var cases = new List<HttpResponseMessage>
        {
            await Http.SendAsync(HttpMethod.Post, "/candidates", token, new { contact_email = "a@b.example" }),
            await Http.SendAsync(HttpMethod.Get, "/candidates/not-a-uuid", token),
            await Http.SendAsync(HttpMethod.Post, "/candidates/not-a-uuid/approve", token),
            await Http.SendAsync(HttpMethod.Get, "/candidates?status=unknown", token),
            await Http.SendAsync(HttpMethod.Get, "/candidates?limit=-1", token),
            await Http.SendAsync(HttpMethod.Get, "/candidates?limit=101", token),
        };

        var tooLarge = await Http.SendAsync(oversized);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
        Assert.Equal("application/problem+json", tooLarge.Content.Headers.ContentType?.MediaType);
        foreach (var response in cases)
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.DoesNotContain("   at ", await response.Content.ReadAsStringAsync());
        }
        Assert.Equal(0L, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM candidates WHERE tenant_id = @t", ("t", tenant)));
    }

    [Fact]
    public async Task HistoryOfManyChangesIsServedWholeWhileTheStoredStateStaysSmall()
    {
        var (token, tenant) = await ReviewerAsync();
        var location = await CreateAsync(token);
        for (var i = 0; i < 30; i++)
        {
            var patched = await Http.SendAsync(HttpMethod.Patch, location, token, new { company_name = $"Acme Supplies {i}" });
            Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        }
        // A fresh activation starts from the stored row (history_count entries stored): its next write
        // must neither lose nor repeat history.
        var id = Guid.Parse(location.Split('/').Last());
        await fixture.Cluster.DeactivateAsync((IAddressable)fixture.Grains.GetGrain<Actors.Contracts.Candidates.ICandidateGrain>(id, tenant));
        var rejected = await Http.SendAsync(HttpMethod.Post, location + "/reject", token, new { reason = "duplicate supplier" });
        Assert.Equal(HttpStatusCode.OK, rejected.StatusCode);

        var history = (await (await Http.SendAsync(HttpMethod.Get, location + "/history", token)).JsonAsync()).EnumerateArray().ToList();
        Assert.Equal(32, history.Count);
        Assert.Equal("created", history[0].GetProperty("action").GetString());
        Assert.Equal("rejected", history[^1].GetProperty("action").GetString());
        Assert.Equal(string.Join(',', Enumerable.Range(0, 32)), await fixture.Database.ScalarAsync<string>(
            "SELECT string_agg(seq::text, ',' ORDER BY seq) FROM candidate_history WHERE candidate_id = @id", ("id", id)));
        Assert.Equal(32, await fixture.Database.ScalarAsync<int>("SELECT history_count FROM candidates WHERE id = @id", ("id", id)));
        // The row holds no history of its own and there is no JSON copy of the candidate.
        Assert.Equal(0L, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM grain_state WHERE graintypestring = 'candidate'"));
    }

    [Fact]
    public async Task StatsMatchTheSeedsGroupByQuery()
    {
        var (token, tenant) = await ReviewerAsync();
        var first = await CreateAsync(token);
        await CreateAsync(token);
        await Http.SendAsync(HttpMethod.Post, first + "/approve", token);

        var stats = await (await Http.SendAsync(HttpMethod.Get, "/candidates/stats", token)).JsonAsync();

        foreach (var status in new[] { "pending", "approved", "rejected" })
        {
            var counted = await fixture.Database.ScalarAsync<long>(
                "SELECT count(*) FROM candidates WHERE tenant_id = @t AND status = @s", ("t", tenant), ("s", status));
            Assert.Equal(counted, stats.GetProperty("by_status").GetProperty(status).GetInt64());
        }
    }

    [Fact]
    public async Task ApprovingTwiceWithTheSameIdempotencyKeyAnswersTheFirstResult()
    {
        var (token, _) = await ReviewerAsync();
        var location = await CreateAsync(token);
        async Task<HttpResponseMessage> Approve(string key)
        {
            var request = TestAuth.Request(HttpMethod.Post, location + "/approve", token);
            request.Headers.Add("Idempotency-Key", key);
            return await Http.SendAsync(request);
        }

        var first = await Approve("approve-1");
        var repeat = await Approve("approve-1");
        var other = await Approve("approve-2");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, repeat.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await repeat.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Conflict, other.StatusCode);
    }

    [Fact]
    public async Task DecidedCandidatesCannotChangeAndRejectNeedsAReason()
    {
        var (token, _) = await ReviewerAsync();
        var location = await CreateAsync(token);

        Assert.Equal(HttpStatusCode.BadRequest, (await Http.SendAsync(HttpMethod.Post, location + "/reject", token, new { reason = "" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Http.SendAsync(HttpMethod.Post, location + "/reject", token, new { reason = "incomplete documents" })).StatusCode);
        var patch = await Http.SendAsync(HttpMethod.Patch, location, token, new { company_name = "Too late" });

        Assert.Equal(HttpStatusCode.Conflict, patch.StatusCode);
        Assert.Contains("rejected", (await patch.JsonAsync()).GetProperty("detail").GetString());
        var body = await (await Http.SendAsync(HttpMethod.Get, location, token)).JsonAsync();
        Assert.Equal("incomplete documents", body.GetProperty("rejection_reason").GetString());
        Assert.EndsWith(".test", body.GetProperty("decided_by").GetString());
    }

    [Fact]
    public async Task ListFiltersByStatusAndProductAndStatsCount()
    {
        var (token, _) = await ReviewerAsync();
        var locations = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            locations.Add(await CreateAsync(token, new { company_name = $"Company {i}", contact_email = $"c{i}@x.example", products = i < 2 ? new[] { "lending" } : new[] { "payments" } }));
        }
        await Http.SendAsync(HttpMethod.Post, locations[0] + "/approve", token);
        await Http.SendAsync(HttpMethod.Post, locations[1] + "/approve", token);
        await Http.SendAsync(HttpMethod.Post, locations[2] + "/reject", token, new { reason = "no" });

        var approved = await (await Http.SendAsync(HttpMethod.Get, "/candidates?status=approved", token)).JsonAsync();
        var lending = await (await Http.SendAsync(HttpMethod.Get, "/candidates?product=lending", token)).JsonAsync();
        var page = await (await Http.SendAsync(HttpMethod.Get, "/candidates?limit=2&offset=1", token)).JsonAsync();
        var stats = await (await Http.SendAsync(HttpMethod.Get, "/candidates/stats", token)).JsonAsync();

        Assert.Equal(2, approved.GetProperty("total").GetInt64());
        // A product filter has no counter: its total is null, its items are right.
        Assert.Equal(JsonValueKind.Null, lending.GetProperty("total").ValueKind);
        Assert.Equal(2, lending.GetProperty("items").GetArrayLength());
        Assert.Equal(5, page.GetProperty("total").GetInt64());

        // Cursor paging walks every candidate once, newest first, and the last page has no next.
        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var next = await (await Http.SendAsync(HttpMethod.Get, "/candidates?limit=2" + (cursor is null ? "" : "&cursor=" + cursor), token)).JsonAsync();
            seen.AddRange(next.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("company_name").GetString()!));
            cursor = next.GetProperty("next").ValueKind == JsonValueKind.Null ? null : next.GetProperty("next").GetString();
            pages++;
        }
        while (cursor is not null);
        Assert.Equal(3, pages);
        Assert.Equal(["Company 4", "Company 3", "Company 2", "Company 1", "Company 0"], seen);
        var forged = await Http.SendAsync(HttpMethod.Get, "/candidates?cursor=bm90LWEtY3Vyc29y", token);
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(2, page.GetProperty("items").GetArrayLength());
        Assert.Equal("Company 3", page.GetProperty("items")[0].GetProperty("company_name").GetString());
        Assert.Equal(2, stats.GetProperty("by_status").GetProperty("approved").GetInt64());
        Assert.Equal(1, stats.GetProperty("by_status").GetProperty("rejected").GetInt64());
        Assert.Equal(2, stats.GetProperty("by_status").GetProperty("pending").GetInt64());
        Assert.Equal(HttpStatusCode.BadRequest, (await Http.SendAsync(HttpMethod.Get, "/candidates?status=maybe&limit=1000", token)).StatusCode);
    }

    [Fact]
    public async Task ApprovalProvisionsTheProviderExactlyOnceThroughAFlakyBillingService()
    {
        await using var billing = await BillingStub.StartAsync();
        billing.FailFirst = 2;
        var (token, _) = await ReviewerAsync(new { billing_service_url = billing.Url });
        var location = await CreateAsync(token);

        var approved = await (await Http.SendAsync(HttpMethod.Post, location + "/approve", token)).JsonAsync();
        Assert.Equal("approved", approved.GetProperty("status").GetString());
        Assert.Equal("pending", approved.GetProperty("provisioning").GetString());

        JsonElement candidate = default;
        await Wait.UntilAsync(async () =>
        {
            candidate = await (await Http.SendAsync(HttpMethod.Get, location, token)).JsonAsync();
            return candidate.GetProperty("provisioning").GetString() is "provisioned" or "failed";
        }, TimeSpan.FromSeconds(60), "provisioning ends");

        Assert.Equal("provisioned", candidate.GetProperty("provisioning").GetString());
        Assert.Single(billing.Providers);
        Assert.Equal(billing.Providers.Values.Single(), candidate.GetProperty("provider_id").GetString());
        Assert.True(billing.Calls >= 3);
    }

    [Fact]
    public async Task RefusedProvisioningFailsAndAnAdminCanRetryIt()
    {
        await using var billing = await BillingStub.StartAsync();
        billing.FailFirst = 1;
        billing.FailureStatus = 400;
        var s = await Scenario.StartAsync(Http);
        var tenant = await s.CreateTenantAsync(new { billing_service_url = billing.Url });
        var token = await s.UserTokenAsync(tenant, "admin");
        var location = await CreateAsync(token);
        await Http.SendAsync(HttpMethod.Post, location + "/approve", token);

        await Wait.UntilAsync(async () => (await (await Http.SendAsync(HttpMethod.Get, location, token)).JsonAsync())
            .GetProperty("provisioning").GetString() == "failed", TimeSpan.FromSeconds(30), "provisioning fails");

        var retry = await Http.SendAsync(HttpMethod.Post, location + "/provision", token);
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        await Wait.UntilAsync(async () => (await (await Http.SendAsync(HttpMethod.Get, location, token)).JsonAsync())
            .GetProperty("provisioning").GetString() == "provisioned", TimeSpan.FromSeconds(30), "provisioning succeeds after retry");
        Assert.Single(billing.Providers);
    }

    [Fact]
    public async Task TenantWithoutBillingServiceApprovesWithoutProvisioning()
    {
        var (token, _) = await ReviewerAsync();
        var location = await CreateAsync(token);

        var approved = await (await Http.SendAsync(HttpMethod.Post, location + "/approve", token)).JsonAsync();

        Assert.Equal("approved", approved.GetProperty("status").GetString());
        Assert.Equal("not_started", approved.GetProperty("provisioning").GetString());
    }

    [Fact]
    public async Task ViewerReadsButCannotDecideAndAnotherTenantSeesNothing()
    {
        var s = await Scenario.StartAsync(Http);
        var tenant = await s.CreateTenantAsync();
        var other = await s.CreateTenantAsync();
        var reviewer = await s.UserTokenAsync(tenant, "reviewer");
        var viewer = await s.UserTokenAsync(tenant, "viewer");
        var stranger = await s.UserTokenAsync(other, "admin");
        var location = await CreateAsync(reviewer);

        Assert.Equal(HttpStatusCode.OK, (await Http.SendAsync(HttpMethod.Get, location, viewer)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Http.SendAsync(HttpMethod.Post, location + "/approve", viewer)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Http.SendAsync(HttpMethod.Post, "/candidates", viewer, NewCandidate())).StatusCode);
        foreach (var (method, path, body) in new (HttpMethod, string, object?)[]
        {
            (HttpMethod.Get, location, null), (HttpMethod.Patch, location, new { company_name = "x" }),
            (HttpMethod.Post, location + "/approve", null), (HttpMethod.Post, location + "/reject", new { reason = "x" }),
            (HttpMethod.Get, location + "/history", null), (HttpMethod.Post, location + "/provision", null),
        })
        {
            var response = await Http.SendAsync(method, path, stranger, body);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{method} {path}: {(int)response.StatusCode}");
        }
        Assert.Equal(0, (await (await Http.SendAsync(HttpMethod.Get, "/candidates", stranger)).JsonAsync()).GetProperty("total").GetInt64());
        Assert.Equal("pending", (await (await Http.SendAsync(HttpMethod.Get, location, reviewer)).JsonAsync()).GetProperty("status").GetString());
    }

    [Fact]
    public async Task ImportJobCreatesValidRowsReportsInvalidOnesAndARerunDuplicatesNothing()
    {
        var (token, tenant) = await ReviewerAsync();
        const string csv = "company_name,contact_email,contact_phone,products\n" +
                           "Alpha Ltd,a@alpha.example,+1 555 0100,payments;lending\n" +
                           "Beta Ltd,b@beta.example,,payments\n" +
                           "Broken Ltd,not-an-email,,payments\n" +
                           "Gamma Ltd,g@gamma.example,,\n";
        var submitted = await Http.SendAsync(HttpMethod.Post, "/jobs", token, new { type = "candidates.import", parameters = new { csv } });
        Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
        var location = submitted.Headers.Location!.OriginalString;

        var job = await Http.WaitForStatusAsync(token, location, "completed", "failed");

        var result = job.GetProperty("result");
        Assert.Equal(3, result.GetProperty("imported").GetInt32());
        Assert.Equal(1, result.GetProperty("invalid").GetInt32());
        Assert.Equal(4, result.GetProperty("invalid_rows")[0].GetProperty("line").GetInt32());
        Assert.Equal(4, job.GetProperty("progress").GetProperty("processed").GetInt64());

        // A re-run of the same job (what happens after a crash mid-import) finds the rows it made.
        await using var dataSource = Npgsql.NpgsqlDataSource.Create(fixture.Database.ConnectionString);
        var handler = new Actors.Grains.Candidates.CandidatesImportHandler(dataSource, Microsoft.Extensions.Options.Options.Create(new Actors.Contracts.Candidates.ImportOptions()));
        var jobId = job.GetProperty("id").GetGuid();
        using var parameters = JsonDocument.Parse(JsonSerializer.Serialize(new { csv }));
        var rerun = JsonSerializer.SerializeToElement(await handler.RunAsync(
            new Actors.Grains.Jobs.JobRun(jobId, tenant, 2, 3, parameters.RootElement.Clone(), fixture.Grains), CancellationToken.None));
        Assert.Equal(0, rerun.GetProperty("imported").GetInt32());
        Assert.Equal(3, rerun.GetProperty("already_imported").GetInt32());
        Assert.Equal(3L, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM candidates WHERE tenant_id = @t", ("t", tenant)));
    }
}
