using System.Collections.Concurrent;
using System.Net;
using Actors.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Actors.Tests.Hostile;

/// <summary>
/// Resource limits (OWASP API4): a tenant over its request rate gets 429 with Retry-After without
/// starving another tenant; caps on stored objects and on job parameters refuse growth without bound;
/// settings answers never carry a secret.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class TenantIsolationTests(ClusterFixture fixture, ITestOutputHelper output)
{
    private HttpClient Http => fixture.Http;

    [Fact]
    public async Task ATenantFloodingTheApiDoesNotStarveAnother()
    {
        var s = await Scenario.StartAsync(Http);
        var noisy = await s.CreateTenantAsync(new { requests_per_second = 5 });
        var quiet = await s.CreateTenantAsync(new { requests_per_second = 10_000 });
        var noisyToken = await s.UserTokenAsync(noisy, "viewer");
        var quietToken = await s.UserTokenAsync(quiet, "viewer");

        var noisyStatuses = new ConcurrentBag<HttpResponseMessage>();
        var quietStatuses = new ConcurrentBag<HttpStatusCode>();
        var flood = Parallel.ForEachAsync(Enumerable.Range(0, 1500), new ParallelOptions { MaxDegreeOfParallelism = 24 }, async (_, ct) =>
            noisyStatuses.Add(await Http.SendAsync(HttpMethod.Get, "/candidates", noisyToken)));
        var steady = Parallel.ForEachAsync(Enumerable.Range(0, 200), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (_, ct) =>
            quietStatuses.Add((await Http.SendAsync(HttpMethod.Get, "/candidates", quietToken)).StatusCode));
        await Task.WhenAll(flood, steady);

        var limited = noisyStatuses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        var quietRate = quietStatuses.Count(c => c == HttpStatusCode.OK) / (double)quietStatuses.Count;
        output.WriteLine($"noisy: {noisyStatuses.Count} sent, {limited.Count} limited; quiet: success rate {quietRate:P1}");
        Console.WriteLine($"[isolation] noisy tenant: {noisyStatuses.Count} requests, {limited.Count} answered 429; quiet tenant success rate {quietRate:P1}");
        Assert.True(limited.Count > noisyStatuses.Count / 2, $"only {limited.Count} of the flood were limited");
        Assert.All(limited, r => Assert.True(r.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1)));
        Assert.All(noisyStatuses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.TooManyRequests }));
        Assert.True(quietRate >= 0.99, $"the quiet tenant succeeded only {quietRate:P1} of the time");
    }

    [Fact]
    public async Task CreatesBeyondATenantsCapsAreRefusedWith422AndAReplayStillAnswers()
    {
        var s = await Scenario.StartAsync(Http);
        var tenant = await s.CreateTenantAsync(new { max_candidates = 2, max_schedules = 1, max_active_jobs = 1 });
        var admin = await s.UserTokenAsync(tenant, "admin");
        object Candidate(int i) => new { company_name = "Cap " + i, contact_email = $"cap{i}@x.example" };

        var first = TestAuth.Request(HttpMethod.Post, "/candidates", admin, Candidate(0));
        first.Headers.Add("Idempotency-Key", "cap-0");
        Assert.Equal(HttpStatusCode.Created, (await Http.SendAsync(first)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await Http.SendAsync(HttpMethod.Post, "/candidates", admin, Candidate(1))).StatusCode);
        var third = await Http.SendAsync(HttpMethod.Post, "/candidates", admin, Candidate(2));
        var replay = TestAuth.Request(HttpMethod.Post, "/candidates", admin, Candidate(0));
        replay.Headers.Add("Idempotency-Key", "cap-0");
        var replayed = await Http.SendAsync(replay);

        Assert.Equal((HttpStatusCode)422, third.StatusCode);
        Assert.EndsWith("/limit_exceeded", (await third.JsonAsync()).GetProperty("type").GetString());
        Assert.Equal(HttpStatusCode.Created, replayed.StatusCode);
        Assert.Equal(2L, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM candidates WHERE tenant_id = @t", ("t", tenant)));

        var schedule = new { name = "cap", cron = "0 0 1 1 *", time_zone = "UTC", job = new { type = "diagnostics.sleep", parameters = new { steps = 1 } } };
        Assert.Equal(HttpStatusCode.Created, (await Http.SendAsync(HttpMethod.Post, "/schedules", admin, schedule)).StatusCode);
        Assert.Equal((HttpStatusCode)422, (await Http.SendAsync(HttpMethod.Post, "/schedules", admin, schedule)).StatusCode);

        var longJob = new { type = "diagnostics.sleep", parameters = new { steps = 200, step_ms = 100 } };
        var running = await Http.SendAsync(HttpMethod.Post, "/jobs", admin, longJob);
        Assert.Equal(HttpStatusCode.Accepted, running.StatusCode);
        Assert.Equal((HttpStatusCode)422, (await Http.SendAsync(HttpMethod.Post, "/jobs", admin, longJob)).StatusCode);
        var location = running.Headers.Location!.OriginalString;
        Assert.Equal(HttpStatusCode.OK, (await Http.SendAsync(HttpMethod.Post, location + "/cancel", admin)).StatusCode);
        await Http.WaitForStatusAsync(admin, location, "cancelled");
        Assert.Equal(HttpStatusCode.Accepted, (await Http.SendAsync(HttpMethod.Post, "/jobs", admin, new { type = "diagnostics.sleep", parameters = new { steps = 1 } })).StatusCode);
    }

    [Fact]
    public async Task OversizedJobParametersAndCapsOutOfRangeAre400()
    {
        var s = await Scenario.StartAsync(Http);
        var tenant = await s.CreateTenantAsync();
        var admin = await s.UserTokenAsync(tenant, "admin");

        var big = await Http.SendAsync(HttpMethod.Post, "/jobs", admin, new { type = "diagnostics.sleep", parameters = new { blob = new string('x', 70_000) } });
        var rows = await Http.SendAsync(HttpMethod.Post, "/jobs", admin, new
        {
            type = "candidates.import", parameters = new { csv = "company_name,contact_email\n" + string.Concat(Enumerable.Repeat("a,b@c.de\n", 10_001)) },
        });
        var caps = await Http.SendAsync(HttpMethod.Patch, $"/tenants/{tenant}", s.OperatorToken,
            new { settings = new { max_candidates = -1, max_schedules = 1_000_000, max_active_jobs = -5 } });

        Assert.Equal(HttpStatusCode.BadRequest, big.StatusCode);
        Assert.True((await big.JsonAsync()).GetProperty("errors").TryGetProperty("parameters", out _));
        Assert.Equal(HttpStatusCode.BadRequest, rows.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, caps.StatusCode);
        var errors = (await caps.JsonAsync()).GetProperty("errors");
        foreach (var field in new[] { "settings.max_candidates", "settings.max_schedules", "settings.max_active_jobs" })
        {
            Assert.True(errors.TryGetProperty(field, out _), $"no error for {field}");
        }
        Assert.Equal(0L, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM jobs WHERE tenant_id = @t", ("t", tenant)));
    }

    [Fact]
    public async Task NoSettingsAnswerCarriesTheSmtpPassword()
    {
        var s = await Scenario.StartAsync(Http);
        const string secret = "Sm7p-s3cret-pass";
        var created = await Http.SendAsync(HttpMethod.Post, "/tenants", s.OperatorToken, new
        {
            id = TestAuth.NewSlug(), name = "Secretive", settings = new { smtp = new { host = "smtp.example.com", username = "u", password = secret } },
        });
        var tenant = (await created.JsonAsync()).GetProperty("id").GetString()!;
        var patched = await Http.SendAsync(HttpMethod.Patch, $"/tenants/{tenant}", s.OperatorToken,
            new { settings = new { smtp = new { host = "smtp2.example.com", password = secret + "2" } } });
        var read = await Http.SendAsync(HttpMethod.Get, $"/tenants/{tenant}", s.OperatorToken);
        var list = await Http.SendAsync(HttpMethod.Get, "/tenants?limit=100", s.OperatorToken);

        foreach (var response in new[] { created, patched, read, list })
        {
            Assert.True(response.IsSuccessStatusCode);
            Assert.DoesNotContain(secret, await response.Content.ReadAsStringAsync());
        }
        var smtp = (await read.JsonAsync()).GetProperty("settings").GetProperty("smtp");
        Assert.True(smtp.GetProperty("password_set").GetBoolean());
        Assert.False(smtp.TryGetProperty("password", out _));

        // At rest: the tenant's row holds the password encrypted (Data Protection), no table holds it in plain text.
        Assert.Equal(0L, await fixture.Database.ScalarAsync<long>(
            "SELECT count(*) FROM tenants t WHERE t::text LIKE '%' || @s || '%'", ("s", secret)));
        Assert.Equal(0L, await fixture.Database.ScalarAsync<long>(
            "SELECT count(*) FROM grain_state g WHERE g::text LIKE '%' || @s || '%'", ("s", secret)));
        Assert.StartsWith("dp1:", await fixture.Database.ScalarAsync<string>("SELECT smtp_password FROM tenants WHERE id = @t", ("t", tenant)));
        // ... and the grain still has it: a fresh activation decrypts what is stored.
        var grain = fixture.Grains.GetGrain<Actors.Contracts.Tenants.ITenantGrain>(Actors.Contracts.GrainKeys.Tenant(tenant));
        await fixture.Cluster.DeactivateAsync((IAddressable)grain);
        Assert.Equal(secret + "2", (await grain.GetAsync())!.Settings.Smtp.Password);
    }

    [Fact]
    public async Task TheDashboardDoesNotShowStoredSecretsOfGrainState()
    {
        // The dashboard's grain-state viewer (operators only) must not become a way to read SMTP passwords or hashes.
        var s = await Scenario.StartAsync(Http);
        const string secret = "Dash-smtp-s3cret";
        var tenant = await s.CreateTenantAsync(new { smtp = new { host = "smtp.example.com", password = secret } });

        var response = await Http.SendAsync(HttpMethod.Get,
            $"/dashboard/GrainState?grainId=tenant:{tenant}&grainType=Actors.Grains.Tenants.TenantGrain", s.OperatorToken);
        var body = await response.Content.ReadAsStringAsync();

        Assert.DoesNotContain(secret, body);
        Assert.DoesNotContain("password_hash", body, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task AnImportStopsAtTheTenantsCandidateCapAndReportsTheRest()
    {
        var s = await Scenario.StartAsync(Http);
        var tenant = await s.CreateTenantAsync(new { max_candidates = 3 });
        var admin = await s.UserTokenAsync(tenant, "admin");
        Assert.Equal(HttpStatusCode.Created, (await Http.SendAsync(HttpMethod.Post, "/candidates", admin,
            new { company_name = "Before", contact_email = "before@x.example" })).StatusCode);

        var rows = Enumerable.Range(0, 5).Select(i => new { company_name = "Row " + i, contact_email = $"row{i}@x.example" }).ToArray();
        var submitted = await Http.SendAsync(HttpMethod.Post, "/jobs", admin, new { type = "candidates.import", parameters = new { rows } });
        var job = await Http.WaitForStatusAsync(admin, submitted.Headers.Location!.OriginalString, "completed", "failed");

        Assert.Equal("completed", job.GetProperty("status").GetString());
        Assert.Equal(2, job.GetProperty("result").GetProperty("imported").GetInt32());
        Assert.Equal(3, job.GetProperty("result").GetProperty("invalid").GetInt32());
        Assert.Equal(3L, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM candidates WHERE tenant_id = @t", ("t", tenant)));
    }
}
