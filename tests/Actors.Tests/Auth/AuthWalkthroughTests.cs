using System.Net;
using Actors.Tests.Infrastructure;

namespace Actors.Tests.Auth;

[Collection(ClusterCollection.Name)]
public sealed class AuthWalkthroughTests(ClusterFixture fixture)
{
    private HttpClient Http => fixture.Http;

    [Fact]
    public async Task OperatorAdminAndReviewerWalkThroughSuspensionAndActivation()
    {
        var op = await TestAuth.OperatorTokenAsync(Http);
        var slug = TestAuth.NewSlug("acme");

        var created = await Http.SendAsync(HttpMethod.Post, "/tenants", op, new { id = slug, name = "Acme Ltd" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal($"/tenants/{slug}", created.Headers.Location?.OriginalString);

        var adminEmail = $"boss@{slug}.test";
        var admin = await Http.SendAsync(HttpMethod.Post, $"/tenants/{slug}/users", op,
            new { email = adminEmail, password = "admin-pass-1", role = "admin" });
        Assert.Equal(HttpStatusCode.Created, admin.StatusCode);

        var adminToken = await TestAuth.TokenAsync(Http, adminEmail, "admin-pass-1");
        var reviewerEmail = $"rev@{slug}.test";
        var reviewer = await Http.SendAsync(HttpMethod.Post, $"/tenants/{slug}/users", adminToken,
            new { email = reviewerEmail, password = "review-pass-1", role = "reviewer" });
        Assert.Equal(HttpStatusCode.Created, reviewer.StatusCode);

        // JSON credentials work as well as the form.
        var jsonLogin = await Http.PostAsync("/auth/login", System.Net.Http.Json.JsonContent.Create(new { email = reviewerEmail, password = "review-pass-1" }));
        Assert.Equal(HttpStatusCode.OK, jsonLogin.StatusCode);
        var login = await jsonLogin.JsonAsync();
        Assert.Equal("bearer", login.GetProperty("token_type").GetString());
        Assert.True(login.GetProperty("expires_in").GetInt32() > 0);
        var reviewerToken = login.GetProperty("access_token").GetString()!;

        var me = await (await Http.SendAsync(HttpMethod.Get, "/auth/me", reviewerToken)).JsonAsync();
        Assert.Equal(slug, me.GetProperty("tenant_id").GetString());
        Assert.Equal("reviewer", me.GetProperty("role").GetString());

        Assert.Equal(HttpStatusCode.OK, (await Http.SendAsync(HttpMethod.Post, $"/tenants/{slug}/suspend", op)).StatusCode);
        Assert.Equal("suspended", await fixture.Database.ScalarAsync<string>("SELECT status FROM tenants WHERE id = @id", ("id", slug)));

        var suspended = await Http.SendAsync(HttpMethod.Get, "/auth/me", reviewerToken);
        Assert.Equal(HttpStatusCode.Forbidden, suspended.StatusCode);
        Assert.Equal("application/problem+json", suspended.Content.Headers.ContentType?.MediaType);
        Assert.EndsWith("/tenant_suspended", (await suspended.JsonAsync()).GetProperty("type").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, (await TestAuth.LoginAsync(Http, reviewerEmail, "review-pass-1")).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await Http.SendAsync(HttpMethod.Post, $"/tenants/{slug}/activate", op)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Http.SendAsync(HttpMethod.Get, "/auth/me", reviewerToken)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await TestAuth.LoginAsync(Http, reviewerEmail, "review-pass-1")).StatusCode);
        Assert.Equal("active", await fixture.Database.ScalarAsync<string>("SELECT status FROM tenants WHERE id = @id", ("id", slug)));
    }

    [Fact]
    public async Task UnknownUserAndWrongPasswordGetTheSame401()
    {
        var s = await Scenario.StartAsync(Http);
        var tenant = await s.CreateTenantAsync();
        var email = $"known@{tenant}.test";
        await s.UserTokenAsync(tenant, "viewer", email, "right-password");

        var wrong = await TestAuth.LoginAsync(Http, email, "wrong-password");
        var unknown = await TestAuth.LoginAsync(Http, $"nobody@{tenant}.test", "wrong-password");

        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        Assert.Equal((await wrong.JsonAsync()).GetProperty("detail").GetString(), (await unknown.JsonAsync()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task RepeatedFailuresLockTheAccountEvenForTheRightPassword()
    {
        var s = await Scenario.StartAsync(Http);
        var tenant = await s.CreateTenantAsync();
        var email = $"target@{tenant}.test";
        await s.UserTokenAsync(tenant, "viewer", email, "right-password");

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await TestAuth.LoginAsync(Http, email, "guess-" + i)).StatusCode);
        }
        var locked = await TestAuth.LoginAsync(Http, email, "right-password");

        Assert.Equal(HttpStatusCode.TooManyRequests, locked.StatusCode);
        Assert.True(locked.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        var metrics = await Http.GetStringAsync("/metrics");
        Assert.Contains("authentication_failures_total{reason=\"locked_out\"}", metrics);
        Assert.Contains("jwt_tokens_issued_total", metrics);
    }

    [Fact]
    public async Task ChangedRoleAndDeletedUserInvalidateEarlierTokens()
    {
        var s = await Scenario.StartAsync(Http);
        var tenant = await s.CreateTenantAsync();
        var email = $"changing@{tenant}.test";
        var token = await s.UserTokenAsync(tenant, "reviewer", email);
        Assert.Equal(HttpStatusCode.OK, (await Http.SendAsync(HttpMethod.Get, "/auth/me", token)).StatusCode);

        var patched = await Http.SendAsync(HttpMethod.Patch, $"/tenants/{tenant}/users/{email}", s.OperatorToken, new { role = "viewer" });
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Http.SendAsync(HttpMethod.Get, "/auth/me", token)).StatusCode);

        var fresh = await TestAuth.TokenAsync(Http, email, "password-123");
        Assert.Equal("viewer", (await (await Http.SendAsync(HttpMethod.Get, "/auth/me", fresh)).JsonAsync()).GetProperty("role").GetString());

        Assert.Equal(HttpStatusCode.NoContent, (await Http.SendAsync(HttpMethod.Delete, $"/tenants/{tenant}/users/{email}", s.OperatorToken)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Http.SendAsync(HttpMethod.Get, "/auth/me", fresh)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await TestAuth.LoginAsync(Http, email, "password-123")).StatusCode);
        Assert.True(await fixture.Database.ScalarAsync<bool>("SELECT deleted FROM users WHERE email = @e", ("e", email)));
    }

    [Fact]
    public async Task TenantOverItsRequestRateGets429WithRetryAfter()
    {
        var s = await Scenario.StartAsync(Http);
        var tenant = await s.CreateTenantAsync(new { requests_per_second = 2 });
        var token = await s.UserTokenAsync(tenant, "viewer");

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Http.SendAsync(HttpMethod.Get, "/auth/me", token)));

        var limited = responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.NotEmpty(limited);
        Assert.All(limited, r => Assert.True(r.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1)));
        Assert.All(responses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.TooManyRequests }));
    }

    [Fact]
    public async Task DashboardIsForOperatorsOnly()
    {
        var s = await Scenario.StartAsync(Http);
        var tenant = await s.CreateTenantAsync();
        var admin = await s.UserTokenAsync(tenant, "admin");

        Assert.Equal(HttpStatusCode.Unauthorized, (await Http.SendAsync(HttpMethod.Get, "/dashboard/", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Http.SendAsync(HttpMethod.Get, "/dashboard/", admin)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Http.SendAsync(HttpMethod.Get, "/dashboard/", s.OperatorToken)).StatusCode);
    }

    [Fact]
    public async Task InvalidTenantIsRefusedFieldByFieldAndNothingIsWritten()
    {
        var op = await TestAuth.OperatorTokenAsync(Http);
        var before = await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM tenants");

        var bad = await Http.SendAsync(HttpMethod.Post, "/tenants", op,
            new { id = "Not A Slug", name = "", settings = new { requests_per_second = -1, billing_service_url = "ftp://x" } });
        var unknownField = await Http.SendAsync(HttpMethod.Post, "/tenants", op, new { id = TestAuth.NewSlug(), name = "x", status = "suspended" });

        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await bad.JsonAsync()).GetProperty("errors");
        foreach (var field in new[] { "id", "name", "settings.requests_per_second", "settings.billing_service_url" })
        {
            Assert.True(errors.TryGetProperty(field, out _), $"no error for {field}");
        }
        Assert.Equal(HttpStatusCode.BadRequest, unknownField.StatusCode);
        Assert.Equal(before, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM tenants"));
    }

    [Fact]
    public async Task TenantSettingsNeverReturnTheSmtpPassword()
    {
        var s = await Scenario.StartAsync(Http);
        var tenant = await s.CreateTenantAsync(new { smtp = new { host = "smtp.example.com", password = "s3cret-smtp" } });

        var response = await Http.SendAsync(HttpMethod.Get, $"/tenants/{tenant}", s.OperatorToken);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain("s3cret-smtp", text);
        Assert.True((await response.JsonAsync()).GetProperty("settings").GetProperty("smtp").GetProperty("password_set").GetBoolean());
        Assert.Equal(0L, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM tenants WHERE settings::text LIKE '%s3cret-smtp%'"));
    }
}
