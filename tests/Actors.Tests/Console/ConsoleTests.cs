using System.Net;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Actors.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Actors.Tests.Browser;

/// <summary>
/// The review console in a real chromium: the real cluster and the real API on Kestrel, every page
/// checked by axe (no serious or critical violation), a screenshot of each open page kept on failure.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ConsoleTests(ClusterFixture fixture, Chromium chromium) : IClassFixture<Chromium>
{
    private const string Password = "password-123";

    private HttpClient Http => fixture.Http;

    private ConsoleBrowser Browser([CallerMemberName] string test = "") => new(fixture, chromium, test);

    private async Task<(Scenario Scenario, string Tenant)> TenantAsync()
    {
        var s = await Scenario.StartAsync(Http);
        return (s, await s.CreateTenantAsync());
    }

    /// <summary>A user of <paramref name="tenant"/>: its email and API token (its password is <see cref="Password"/>).</summary>
    private static async Task<(string Email, string Token)> UserAsync(Scenario s, string tenant, string role)
    {
        var email = $"{role}-{Guid.NewGuid():N}@{tenant}.test";
        return (email, await s.UserTokenAsync(tenant, role, email, Password));
    }

    private async Task<string> CandidateAsync(string token, string company)
    {
        var response = await Http.SendAsync(HttpMethod.Post, "/candidates", token,
            new { company_name = company, contact_email = "ops@example.test", products = new[] { "payments" } });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.JsonAsync()).GetProperty("id").GetString()!;
    }

    /// <summary>A link of the console's navigation bar.</summary>
    private static ILocator Nav(IPage page, string name) =>
        page.GetByRole(AriaRole.Navigation, new() { Name = "Console" }).GetByRole(AriaRole.Link, new() { Name = name, Exact = true });

    private async Task<string> StatusAsync(string token, string path) =>
        (await (await Http.SendAsync(HttpMethod.Get, path, token)).JsonAsync()).GetProperty("status").GetString()!;

    [Fact]
    public async Task SignInSetsAStrictHttpOnlySessionCookieAndSignOutEndsIt()
    {
        await TestAuth.OperatorTokenAsync(Http); // the bootstrap operator exists
        await using var browser = Browser();
        await browser.RunAsync(async () =>
        {
            var page = await browser.NewPageAsync();
            var anonymous = await page.GotoAsync("/console/candidates");
            await Expect(page).ToHaveURLAsync(new Regex("/console/signin\\?returnUrl=%2Fconsole%2Fcandidates$"));
            Assert.Equal(200, anonymous!.Status);
            Assert.Equal("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; " +
                "frame-ancestors 'none'; base-uri 'none'", await anonymous.HeaderValueAsync("content-security-policy"));
            await ConsoleBrowser.AssertAccessibleAsync(page);

            await page.GetByLabel("Email").FillAsync(TestAuth.OperatorEmail);
            await page.GetByLabel("Password").FillAsync(TestAuth.OperatorPassword);
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex("/console/candidates$"));
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Candidates", Level = 1 })).ToBeVisibleAsync();

            var session = Assert.Single(await page.Context.CookiesAsync(), c => c.Name == "actors_token");
            Assert.True(session.HttpOnly);
            Assert.Equal(SameSiteAttribute.Strict, session.SameSite);
            Assert.False(session.Secure); // plain http here; https requests get Secure
            Assert.Equal("/", session.Path);

            // The console's cookie opens the Orleans dashboard for an operator.
            var dashboard = await page.Context.APIRequest.GetAsync("/dashboard");
            Assert.Equal(200, dashboard.Status);
            // ... and never the JSON API (a cross-site form must not act with it).
            var api = await page.Context.APIRequest.GetAsync("/auth/me");
            Assert.Equal(401, api.Status);

            await page.GotoAsync("/console");
            await ConsoleBrowser.AssertAccessibleAsync(page);
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("You are signed out.");
            Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name == "actors_token");
            await page.GotoAsync("/console/jobs");
            await Expect(page).ToHaveURLAsync(new Regex("/console/signin\\?returnUrl=%2Fconsole%2Fjobs$"));
        });
    }

    [Fact]
    public async Task WrongPasswordAndLockoutAreShownAsMessages()
    {
        var (s, tenant) = await TenantAsync();
        var (email, _) = await UserAsync(s, tenant, "reviewer");
        await using var browser = Browser();
        await browser.RunAsync(async () =>
        {
            var page = await browser.NewPageAsync();
            await ConsoleBrowser.SignInAsync(page, email, "not-the-password");
            await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Incorrect email or password.");
            await ConsoleBrowser.AssertAccessibleAsync(page);
            for (var i = 0; i < 4; i++)
            {
                Assert.Equal(HttpStatusCode.Unauthorized, (await TestAuth.LoginAsync(Http, email, "not-the-password")).StatusCode);
            }
            await ConsoleBrowser.SignInAsync(page, email, Password);
            await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Too many failed sign-in attempts; try again later.");
            Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name == "actors_token");
        });
    }

    [Fact]
    public async Task ReviewerApprovesACandidateFromThePendingQueue()
    {
        var (s, tenant) = await TenantAsync();
        var (email, token) = await UserAsync(s, tenant, "reviewer");
        var company = "Queue Co " + Guid.NewGuid().ToString("N")[..6];
        var id = await CandidateAsync(token, company);
        await using var browser = Browser();
        await browser.RunAsync(async () =>
        {
            var page = await browser.SignedInAsync(email, Password);
            await ConsoleBrowser.AssertAccessibleAsync(page);
            await Nav(page, "Candidates").ClickAsync();
            await Expect(page.GetByRole(AriaRole.Table)).ToContainTextAsync(company);
            await ConsoleBrowser.AssertAccessibleAsync(page);

            await page.GetByRole(AriaRole.Link, new() { Name = company }).ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex($"/console/candidates/{id}$"));
            await Expect(page.Locator("#candidate-status")).ToHaveTextAsync("pending");
            await ConsoleBrowser.AssertAccessibleAsync(page);

            await page.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Approved; provisioning follows as a job.");
            await Expect(page.Locator("#candidate-status")).ToHaveTextAsync("approved");
            await Expect(page.GetByRole(AriaRole.Table)).ToContainTextAsync(email);
            await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Approve" })).ToHaveCountAsync(0);
            await ConsoleBrowser.AssertAccessibleAsync(page);
        });
        Assert.Equal("approved", await StatusAsync(token, $"/candidates/{id}"));
    }

    [Fact]
    public async Task ReviewerImportsACsvFileAndWatchesItsJobComplete()
    {
        var (s, tenant) = await TenantAsync();
        var (email, token) = await UserAsync(s, tenant, "reviewer");
        // The third record quotes a comma: read as the API's upload and an inline import job read it.
        var csv = "company_name,contact_email,products\nUpload One,one@upload.example,hosting\nUpload Bad,not-an-email,\n\"Upload Two, Inc.\",two@upload.example,\n";
        await using var browser = Browser();
        await browser.RunAsync(async () =>
        {
            var page = await browser.SignedInAsync(email, Password);
            await Nav(page, "Candidates").ClickAsync();
            await ConsoleBrowser.AssertAccessibleAsync(page);
            await page.GetByLabel("Import a CSV file").SetInputFilesAsync(new FilePayload
            {
                Name = "providers.csv", MimeType = "text/csv", Buffer = System.Text.Encoding.UTF8.GetBytes(csv),
            });
            await page.GetByRole(AriaRole.Button, new() { Name = "Import", Exact = true }).ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex("/console/jobs/[0-9a-f-]{36}$"));
            await Expect(page.Locator("#job-status")).ToHaveTextAsync("completed");
            await Expect(page.Locator("#job-result")).ToContainTextAsync("\"imported\":2");
            await Expect(page.Locator("#job-result")).ToContainTextAsync("\"line\":3");
            await ConsoleBrowser.AssertAccessibleAsync(page);

            // Without a file the form says so and imports nothing.
            await Nav(page, "Candidates").ClickAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Import", Exact = true }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Choose a CSV file to import.");
        });
        var stats = await (await Http.SendAsync(HttpMethod.Get, "/candidates/stats", token)).JsonAsync();
        Assert.Equal(2, stats.GetProperty("total").GetInt64());
        var list = await (await Http.SendAsync(HttpMethod.Get, "/candidates?limit=10", token)).JsonAsync();
        Assert.Equal(["Upload One", "Upload Two, Inc."],
            list.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("company_name").GetString()).Order());
    }

    [Fact]
    public async Task ReviewerRejectsACandidateWithAReason()
    {
        var (s, tenant) = await TenantAsync();
        var (email, token) = await UserAsync(s, tenant, "reviewer");
        var id = await CandidateAsync(token, "Turned Down Ltd");
        await using var browser = Browser();
        await browser.RunAsync(async () =>
        {
            var page = await browser.SignedInAsync(email, Password);
            await page.GotoAsync($"/console/candidates/{id}");
            await page.GetByLabel("Reason for rejecting").FillAsync("incomplete documents");
            await page.GetByRole(AriaRole.Button, new() { Name = "Reject" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Rejected.");
            await Expect(page.Locator("#candidate-status")).ToHaveTextAsync("rejected");
            await Expect(page.Locator("dl.facts")).ToContainTextAsync("incomplete documents");
            await Expect(page.Locator("#candidate-provisioning")).ToHaveTextAsync("not_started");
            await ConsoleBrowser.AssertAccessibleAsync(page);
        });
        var candidate = await (await Http.SendAsync(HttpMethod.Get, $"/candidates/{id}", token)).JsonAsync();
        Assert.Equal("rejected", candidate.GetProperty("status").GetString());
        Assert.Equal("incomplete documents", candidate.GetProperty("rejection_reason").GetString());
    }

    [Fact]
    public async Task DecisionAfterAnotherReviewersShowsTheConflictNamingTheCurrentStatus()
    {
        var (s, tenant) = await TenantAsync();
        var (first, token) = await UserAsync(s, tenant, "reviewer");
        var (second, _) = await UserAsync(s, tenant, "reviewer");
        var id = await CandidateAsync(token, "Contested Ltd");
        await using var browser = Browser();
        await browser.RunAsync(async () =>
        {
            var a = await browser.SignedInAsync(first, Password);
            var b = await browser.SignedInAsync(second, Password);
            await a.GotoAsync($"/console/candidates/{id}");
            await b.GotoAsync($"/console/candidates/{id}");
            await Expect(b.Locator("#candidate-status")).ToHaveTextAsync("pending");

            await a.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
            await Expect(a.Locator("#candidate-status")).ToHaveTextAsync("approved");

            await b.GetByLabel("Reason for rejecting").FillAsync("duplicate registration");
            var answer = await b.RunAndWaitForResponseAsync(
                () => b.GetByRole(AriaRole.Button, new() { Name = "Reject" }).ClickAsync(), r => r.Request.Method == "POST");
            Assert.Equal(409, answer.Status);
            await Expect(b.GetByRole(AriaRole.Alert)).ToContainTextAsync($"This candidate was already approved by {first}");
            await Expect(b.Locator("#candidate-status")).ToHaveTextAsync("approved");
            await ConsoleBrowser.AssertAccessibleAsync(b);
        });
        Assert.Equal("approved", await StatusAsync(token, $"/candidates/{id}"));
    }

    [Fact]
    public async Task PendingQueueFiltersByProductAndPagesByCursor()
    {
        var (s, tenant) = await TenantAsync();
        var (email, _) = await UserAsync(s, tenant, "viewer");
        var (_, reviewer) = await UserAsync(s, tenant, "reviewer");
        for (var i = 0; i < 21; i++)
        {
            await CandidateAsync(reviewer, $"Bulk {i:00}");
        }
        var payroll = await Http.SendAsync(HttpMethod.Post, "/candidates", reviewer,
            new { company_name = "Payroll Only", contact_email = "ops@example.test", products = new[] { "payroll" } });
        Assert.Equal(HttpStatusCode.Created, payroll.StatusCode);
        await using var browser = Browser();
        await browser.RunAsync(async () =>
        {
            var page = await browser.SignedInAsync(email, Password);
            await Nav(page, "Candidates").ClickAsync();
            var rows = page.Locator("tbody tr");
            await Expect(rows).ToHaveCountAsync(20);
            await Expect(rows.First).ToContainTextAsync("Payroll Only"); // newest first
            await Expect(page.GetByText("22 in all")).ToBeVisibleAsync();
            await page.GetByRole(AriaRole.Link, new() { Name = "Next page" }).ClickAsync();
            await Expect(rows).ToHaveCountAsync(2);
            await Expect(rows.Last).ToContainTextAsync("Bulk 00");
            await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Next page" })).ToHaveCountAsync(0);

            await page.GetByLabel("Product").FillAsync("payroll");
            await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
            await Expect(rows).ToHaveCountAsync(1);
            await Expect(rows.First).ToContainTextAsync("Payroll Only");
            await page.GetByLabel("Status").SelectOptionAsync("approved");
            await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
            await Expect(page.GetByText("No candidates.")).ToBeVisibleAsync();
            await ConsoleBrowser.AssertAccessibleAsync(page);
        });
    }

    [Fact]
    public async Task EmailJobShowsItsResultAndEachDeliveryOnItsPage()
    {
        await using var smtp = new SmtpStub();
        var s = await Scenario.StartAsync(Http);
        var tenant = await s.CreateTenantAsync(new
        {
            smtp = new { host = "127.0.0.1", port = smtp.Port, use_tls = false, from_address = "noreply@actors.example" },
        });
        var (email, _) = await UserAsync(s, tenant, "viewer");
        var (_, reviewer) = await UserAsync(s, tenant, "reviewer");
        var submitted = await Http.SendAsync(HttpMethod.Post, "/jobs", reviewer, new
        {
            type = "email.send",
            parameters = new { recipients = new[] { "a@x.example", "reject-me@x.example", "b@x.example" }, subject = "Welcome aboard", body = "Hello" },
        });
        Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
        await using var browser = Browser();
        await browser.RunAsync(async () =>
        {
            var page = await browser.SignedInAsync(email, Password);
            await page.GotoAsync("/console" + submitted.Headers.Location!.OriginalString);
            await Expect(page.Locator("#job-status")).ToHaveTextAsync("completed");
            await Expect(page.Locator("#job-result")).ToContainTextAsync("\"sent\":2");
            var deliveries = page.Locator("#job-deliveries tbody tr");
            await Expect(deliveries).ToHaveCountAsync(3);
            await Expect(deliveries.Filter(new() { HasText = "a@x.example" })).ToContainTextAsync("sent");
            await Expect(deliveries.Filter(new() { HasText = "reject-me@x.example" })).ToContainTextAsync("failed");
            await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Cancel job" })).ToHaveCountAsync(0); // a viewer
            await ConsoleBrowser.AssertAccessibleAsync(page);
        });
    }

    [Fact]
    public async Task ViewerSeesACandidateButIsRefusedADecision()
    {
        var (s, tenant) = await TenantAsync();
        var (_, reviewer) = await UserAsync(s, tenant, "reviewer");
        var (viewer, _) = await UserAsync(s, tenant, "viewer");
        var id = await CandidateAsync(reviewer, "Looked At Ltd");
        await using var browser = Browser();
        await browser.RunAsync(async () =>
        {
            var page = await browser.SignedInAsync(viewer, Password);
            await page.GotoAsync($"/console/candidates/{id}");
            await Expect(page.Locator("#candidate-status")).ToHaveTextAsync("pending");
            await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Approve" })).ToHaveCountAsync(0);

            // The form is not shown, and the server refuses it anyway (with a valid antiforgery token).
            var csrf = await page.Locator("input[name=__csrf]").First.GetAttributeAsync("value");
            var forged = await page.Context.APIRequest.PostAsync($"/console/candidates/{id}?handler=Approve",
                new() { Form = page.Context.APIRequest.CreateFormData().Set("__csrf", csrf!) });
            Assert.Equal(403, forged.Status);
            Assert.Contains("Your role does not allow this operation.", await forged.TextAsync());
        });
        Assert.Equal("pending", await StatusAsync(reviewer, $"/candidates/{id}"));
    }

    [Fact]
    public async Task PostWithoutTheAntiforgeryTokenIsRefused()
    {
        var (s, tenant) = await TenantAsync();
        var (email, token) = await UserAsync(s, tenant, "reviewer");
        var id = await CandidateAsync(token, "Forged Ltd");
        await using var browser = Browser();
        await browser.RunAsync(async () =>
        {
            var page = await browser.SignedInAsync(email, Password);
            var forged = await page.Context.APIRequest.PostAsync($"/console/candidates/{id}?handler=Approve",
                new() { Form = page.Context.APIRequest.CreateFormData().Set("reason", "none") });
            Assert.Equal(400, forged.Status);
        });
        Assert.Equal("pending", await StatusAsync(token, $"/candidates/{id}"));
    }

    [Fact]
    public async Task RunningJobShowsItsProgressAndIsCancelledFromTheConsole()
    {
        var (s, tenant) = await TenantAsync();
        var (email, token) = await UserAsync(s, tenant, "reviewer");
        var submitted = await Http.SendAsync(HttpMethod.Post, "/jobs", token,
            new { type = "diagnostics.sleep", parameters = new { steps = 1000, step_ms = 50 } });
        Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
        var location = submitted.Headers.Location!.OriginalString;
        var id = location["/jobs/".Length..];
        await using var browser = Browser();
        await browser.RunAsync(async () =>
        {
            var page = await browser.SignedInAsync(email, Password);
            await Nav(page, "Jobs").ClickAsync();
            var row = page.Locator($"tr[data-job='{id}']");
            // The list refreshes itself: the job turns processing and its bar fills without a reload.
            await Expect(row.Locator(".job-status")).ToHaveTextAsync("processing");
            await Expect(row.Locator("progress")).ToHaveAttributeAsync("max", "1000");
            await Expect(row.Locator(".progress-text")).Not.ToHaveTextAsync("0 of 1000");
            await ConsoleBrowser.AssertAccessibleAsync(page);

            await row.GetByRole(AriaRole.Link).ClickAsync();
            await Expect(page.Locator("#job-status")).ToHaveTextAsync("processing");
            await ConsoleBrowser.AssertAccessibleAsync(page);
            await page.GetByRole(AriaRole.Button, new() { Name = "Cancel job" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Cancel requested");
            await Expect(page.Locator("#job-status")).ToHaveTextAsync("cancelled");
            await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Retry job" })).ToBeVisibleAsync();
            await ConsoleBrowser.AssertAccessibleAsync(page);
        });
        Assert.Equal("cancelled", await StatusAsync(token, location));
    }

    [Fact]
    public async Task SuspendedTenantsUsersAreRefusedUntilItIsActivated()
    {
        var (s, tenant) = await TenantAsync();
        var (email, token) = await UserAsync(s, tenant, "reviewer");
        await using var browser = Browser();
        await browser.RunAsync(async () =>
        {
            var user = await browser.SignedInAsync(email, Password);
            var op = await browser.SignedInAsync(TestAuth.OperatorEmail, TestAuth.OperatorPassword);
            await Nav(op, "Tenants").ClickAsync();
            await ConsoleBrowser.AssertAccessibleAsync(op);
            await op.GetByRole(AriaRole.Button, new() { Name = $"Suspend {tenant}" }).ClickAsync();
            await Expect(op.GetByRole(AriaRole.Status)).ToHaveTextAsync($"Tenant '{tenant}' is suspended.");
            await Expect(op.Locator($"tr[data-tenant='{tenant}'] .tenant-status")).ToHaveTextAsync("suspended");

            var refused = await user.GotoAsync("/console/candidates");
            Assert.Equal(403, refused!.Status);
            await Expect(user.GetByRole(AriaRole.Alert)).ToHaveTextAsync($"Tenant '{tenant}' is suspended.");
            await ConsoleBrowser.AssertAccessibleAsync(user);
            await ConsoleBrowser.SignInAsync(user, email, Password);
            await Expect(user.GetByRole(AriaRole.Alert)).ToHaveTextAsync($"Tenant '{tenant}' is suspended.");
            Assert.Equal(HttpStatusCode.Forbidden, (await Http.SendAsync(HttpMethod.Get, "/candidates", token)).StatusCode);

            await op.GetByRole(AriaRole.Button, new() { Name = $"Activate {tenant}" }).ClickAsync();
            await Expect(op.Locator($"tr[data-tenant='{tenant}'] .tenant-status")).ToHaveTextAsync("active");
            await ConsoleBrowser.SignInAsync(user, email, Password);
            await Expect(user).ToHaveURLAsync(new Regex("/console$"));
        });
    }

    [Fact]
    public async Task ReviewerIsRefusedTheOperatorsPages()
    {
        var (s, tenant) = await TenantAsync();
        var (email, _) = await UserAsync(s, tenant, "reviewer");
        await using var browser = Browser();
        await browser.RunAsync(async () =>
        {
            var page = await browser.SignedInAsync(email, Password);
            await Expect(Nav(page, "Tenants")).ToHaveCountAsync(0);
            var refused = await page.GotoAsync("/console/tenants");
            Assert.Equal(403, refused!.Status);
            await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Your role does not allow this page.");
            await ConsoleBrowser.AssertAccessibleAsync(page);
            Assert.Equal(403, (await page.Context.APIRequest.GetAsync("/dashboard")).Status);
            // Another tenant named in ?tenant= is refused as X-Tenant-Id would be.
            var other = await page.GotoAsync("/console/candidates?tenant=someone-else");
            Assert.Equal(403, other!.Status);
        });
    }

    [Fact]
    public async Task OperatorChangesSettingsAndRunsSchedulesOfATenant()
    {
        var (s, tenant) = await TenantAsync();
        var (_, admin) = await UserAsync(s, tenant, "admin");
        var created = await Http.SendAsync(HttpMethod.Post, "/schedules", admin, new
        {
            name = "nightly report",
            cron = "0 3 * * *",
            time_zone = "UTC",
            job = new { type = "diagnostics.sleep", parameters = new { steps = 1, step_ms = 1 } },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var failed = await Http.SendAsync(HttpMethod.Post, "/jobs", admin,
            new { type = "diagnostics.sleep", parameters = new { steps = 1, step_ms = 1, fail_attempts = 5 }, max_attempts = 1 });
        Assert.Equal(HttpStatusCode.Accepted, failed.StatusCode);
        var failedId = failed.Headers.Location!.OriginalString["/jobs/".Length..];
        await using var browser = Browser();
        await browser.RunAsync(async () =>
        {
            var page = await browser.SignedInAsync(TestAuth.OperatorEmail, TestAuth.OperatorPassword);
            // Without a tenant an operator's lists cover every tenant, each row naming its own.
            await Nav(page, "Candidates").ClickAsync();
            await Expect(page.GetByRole(AriaRole.Columnheader, new() { Name = "Tenant" })).ToBeVisibleAsync();
            await ConsoleBrowser.AssertAccessibleAsync(page);
            await page.GotoAsync($"/console/tenants/{tenant}");
            await ConsoleBrowser.AssertAccessibleAsync(page);
            await page.GetByLabel("Requests per second").FillAsync("250");
            await page.GetByRole(AriaRole.Button, new() { Name = "Save settings" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Settings saved.");
            await Expect(page.GetByLabel("Requests per second")).ToHaveValueAsync("250");

            await page.GetByRole(AriaRole.Link, new() { Name = "its schedules" }).ClickAsync();
            var row = page.Locator("tr", new() { HasText = "nightly report" });
            await Expect(row.Locator(".schedule-state")).ToHaveTextAsync("active");
            await Expect(row).ToContainTextAsync(" 03:00:00 UTC");
            await ConsoleBrowser.AssertAccessibleAsync(page);
            await row.GetByRole(AriaRole.Button, new() { Name = "Pause nightly report" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Paused.");
            await Expect(row.Locator(".schedule-state")).ToHaveTextAsync("paused");
            await row.GetByRole(AriaRole.Button, new() { Name = "Resume nightly report" }).ClickAsync();
            await Expect(row.Locator(".schedule-state")).ToHaveTextAsync("active");
            await row.GetByRole(AriaRole.Button, new() { Name = "Run now: nightly report" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("One run submitted; it is in the jobs list.");

            await Nav(page, "Failed jobs").ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex($"/console/jobs\\?tenant={tenant}&status=failed$"));
            var failedRow = page.Locator($"tr[data-job='{failedId}']");
            await Expect(failedRow.Locator(".job-status")).ToHaveTextAsync("failed");
            await ConsoleBrowser.AssertAccessibleAsync(page);
            await failedRow.GetByRole(AriaRole.Link).ClickAsync();
            await Expect(page.Locator("#job-error")).ToHaveTextAsync("diagnostic_failure: Failing attempt 1 of the first 5 on purpose.");
            await page.GetByRole(AriaRole.Button, new() { Name = "Retry job" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("The job is queued again.");
            await ConsoleBrowser.AssertAccessibleAsync(page);
        });
        var settings = (await (await Http.SendAsync(HttpMethod.Get, $"/tenants/{tenant}", s.OperatorToken)).JsonAsync()).GetProperty("settings");
        Assert.Equal(250, settings.GetProperty("requests_per_second").GetInt32());
    }
}
