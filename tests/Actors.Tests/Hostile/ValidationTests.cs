using System.Net;
using System.Text;
using Actors.Tests.Infrastructure;

namespace Actors.Tests.Hostile;

/// <summary>Refusals found by the fuzz, pinned one by one: each is a 400 problem details naming the field.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ValidationTests(ClusterFixture fixture)
{
    [Theory]
    [InlineData("{")]
    [InlineData("[]")]
    [InlineData("{\"email\":1,\"password\":\"x\"}")]
    [InlineData("{\"email\":\"a@b.example\",\"password\":\"x\",\"role\":\"operator\"}")]
    public async Task MalformedJsonLoginIs400NotA500(string body)
    {
        var response = await fixture.Http.PostAsync("/auth/login", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True((await response.JsonAsync()).GetProperty("errors").TryGetProperty("body", out _));
    }

    [Fact]
    public async Task ProvisioningCannotBeSubmittedDirectlyToBypassApproval()
    {
        // billing.provision follows an approval; submitted as a job by a reviewer it would create a
        // provider in the billing service for a candidate nobody approved (function-level authorization).
        await using var billing = await BillingStub.StartAsync();
        var s = await Scenario.StartAsync(fixture.Http);
        var tenant = await s.CreateTenantAsync(new { billing_service_url = billing.Url });
        var reviewer = await s.UserTokenAsync(tenant, "reviewer");
        var candidate = await (await fixture.Http.SendAsync(HttpMethod.Post, "/candidates", reviewer,
            new { company_name = "Pending Co", contact_email = "p@pending.example" })).JsonAsync();
        var id = candidate.GetProperty("id").GetString();

        var direct = await fixture.Http.SendAsync(HttpMethod.Post, "/jobs", reviewer,
            new { type = "billing.provision", parameters = new { candidate_id = id } });
        var scheduled = await fixture.Http.SendAsync(HttpMethod.Post, "/schedules", s.OperatorToken, new
        {
            name = "sneaky", cron = "* * * * *", time_zone = "UTC", job = new { type = "billing.provision", parameters = new { candidate_id = id } },
        }, tenant);

        Assert.Equal(HttpStatusCode.BadRequest, direct.StatusCode);
        Assert.True((await direct.JsonAsync()).GetProperty("errors").TryGetProperty("type", out _));
        Assert.Equal(HttpStatusCode.BadRequest, scheduled.StatusCode);
        // Both refusals stored nothing that could run later, so the billing service cannot be called.
        Assert.Equal(0L, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM jobs WHERE tenant_id = @t", ("t", tenant)));
        Assert.Equal(0L, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM schedules WHERE tenant_id = @t", ("t", tenant)));
        Assert.Equal(0, billing.Calls);
        var after = await (await fixture.Http.SendAsync(HttpMethod.Get, $"/candidates/{id}", reviewer)).JsonAsync();
        Assert.Equal("pending", after.GetProperty("status").GetString());
        Assert.Equal("not_started", after.GetProperty("provisioning").GetString());
    }

    [Fact]
    public async Task ScheduleWithParametersItsJobWouldRefuseIs400AndNotStored()
    {
        var s = await Scenario.StartAsync(fixture.Http);
        var tenant = await s.CreateTenantAsync();
        var admin = await s.UserTokenAsync(tenant, "admin");
        var good = new { name = "ok", cron = "0 0 1 1 *", time_zone = "UTC", job = new { type = "diagnostics.sleep", parameters = new { steps = 1 } } };

        var created = await fixture.Http.SendAsync(HttpMethod.Post, "/schedules", admin, new
        {
            name = "bad", cron = "0 0 1 1 *", time_zone = "UTC", job = new { type = "email.send", parameters = new { subject = "no recipients" } },
        });
        var existing = (await (await fixture.Http.SendAsync(HttpMethod.Post, "/schedules", admin, good)).JsonAsync()).GetProperty("id").GetString();
        var patched = await fixture.Http.SendAsync(HttpMethod.Patch, $"/schedules/{existing}", admin,
            new { job = new { type = "diagnostics.sleep", parameters = new { steps = -5 } } });

        Assert.Equal(HttpStatusCode.BadRequest, created.StatusCode);
        Assert.True((await created.JsonAsync()).GetProperty("errors").TryGetProperty("job.parameters.recipients", out _));
        Assert.Equal(HttpStatusCode.BadRequest, patched.StatusCode);
        Assert.Equal(1L, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM schedules WHERE tenant_id = @t", ("t", tenant)));
    }

    [Fact]
    public async Task LoginFormOverTheReadersLimitsIs400NotA500()
    {
        var response = await fixture.Http.PostAsync("/auth/login",
            new StringContent(new string('k', 3000) + "=v", Encoding.UTF8, "application/x-www-form-urlencoded"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("null")]
    [InlineData("\"3\"")]
    [InlineData("true")]
    [InlineData("[]")]
    public async Task NonNumericJobParametersAre400NotA500(string steps)
    {
        var s = await Scenario.StartAsync(fixture.Http);
        var tenant = await s.CreateTenantAsync();
        var admin = await s.UserTokenAsync(tenant, "admin");
        var request = TestAuth.Request(HttpMethod.Post, "/jobs", admin);
        request.Content = new StringContent($"{{\"type\":\"diagnostics.sleep\",\"parameters\":{{\"steps\":{steps}}}}}", Encoding.UTF8, "application/json");

        var response = await fixture.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.JsonAsync()).GetProperty("errors").TryGetProperty("parameters.steps", out _));
    }

    [Theory]
    [InlineData("POST", "/candidates", "{\"company_name\":\"A\",\"contact_email\":\"a@b.example\",\"status\":\"approved\"}", "status")]
    [InlineData("POST", "/candidates", "{\"company_name\":\"A\",\"contact_email\":\"a@b.example\",\"provider_id\":\"p-1\"}", "provider_id")]
    [InlineData("POST", "/candidates", "{\"company_name\":\"A\",\"contact_email\":\"a@b.example\",\"created_at\":\"2000-01-01T00:00:00Z\"}", "created_at")]
    [InlineData("POST", "/candidates", "{\"company_name\":\"A\",\"contact_email\":7}", "contact_email")]
    [InlineData("POST", "/jobs", "{\"type\":\"diagnostics.sleep\",\"tenant_id\":\"other\"}", "tenant_id")]
    [InlineData("POST", "/jobs", "{\"type\":\"diagnostics.sleep\",\"status\":\"completed\"}", "status")]
    [InlineData("POST", "/jobs", "{\"type\":\"diagnostics.sleep\",\"max_attempts\":\"many\"}", "max_attempts")]
    [InlineData("POST", "/schedules", "{\"name\":\"s\",\"cron\":\"* * * * *\",\"job\":{\"type\":\"diagnostics.sleep\",\"version\":2}}", "job.version")]
    [InlineData("POST", "/schedules", "{\"name\":\"s\",\"cron\":\"* * * * *\",\"paused\":true}", "paused")]
    [InlineData("GET", "/candidates?limit=abc", null, "limit")]
    [InlineData("GET", "/jobs?offset=1.5", null, "offset")]
    [InlineData("POST", "/candidates", "{\"company_name\":", "body")]
    public async Task BodiesThatSetWhatAClientMayNotOrHaveWrongTypesAre400NamingTheField(string method, string path, string? body, string field)
    {
        var s = await Scenario.StartAsync(fixture.Http);
        var tenant = await s.CreateTenantAsync();
        var admin = await s.UserTokenAsync(tenant, "admin");
        var request = TestAuth.Request(new HttpMethod(method), path, admin);
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");

        var response = await fixture.Http.SendAsync(request);
        var problem = await response.JsonAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"no error for {field}: {problem}");
        Assert.DoesNotContain("Actors.", problem.ToString());
        Assert.Equal(0L, await fixture.Database.ScalarAsync<long>(
            "SELECT (SELECT count(*) FROM candidates WHERE tenant_id = @t) + (SELECT count(*) FROM jobs WHERE tenant_id = @t) + (SELECT count(*) FROM schedules WHERE tenant_id = @t)", ("t", tenant)));
    }

    [Fact]
    public async Task UnknownNestedSettingIs400NamingItsPath()
    {
        var op = await TestAuth.OperatorTokenAsync(fixture.Http);
        var request = TestAuth.Request(HttpMethod.Post, "/tenants", op);
        request.Content = new StringContent($"{{\"id\":\"{TestAuth.NewSlug()}\",\"name\":\"n\",\"settings\":{{\"smtp\":{{\"host\":\"smtp.example.com\",\"password_set\":true}}}}}}",
            Encoding.UTF8, "application/json");

        var response = await fixture.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.JsonAsync()).GetProperty("errors").TryGetProperty("settings.smtp.password_set", out _));
    }
}
