using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Actors.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Actors.Tests.Hostile;

/// <summary>
/// Every route × every role (operator, admin, reviewer, viewer) × own tenant / other tenant, plus
/// anonymous: the expected status of each cell is declared below from the README's "who" columns,
/// and every cell is asked over real HTTP (BOLA and function-level authorization, OWASP API1/API5).
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class AuthorizationMatrixTests(ClusterFixture fixture, ITestOutputHelper output)
{
    private const string Op = "operator", Admin = "admin", Reviewer = "reviewer", Viewer = "viewer", Anonymous = "anonymous";
    private static readonly string[] Everyone = [Op, Admin, Reviewer, Viewer];
    private static readonly string[] Writers = [Op, Admin, Reviewer];
    private static readonly string[] Admins = [Op, Admin];
    private static readonly string[] Operators = [Op];

    /// <summary>How a route names its tenant, which decides what "other tenant" means for it.</summary>
    private enum Scope
    {
        /// <summary>No sign-in needed: every cell succeeds.</summary>
        Open,
        /// <summary>Platform routes (operators only); "other" is another tenant's id in the path.</summary>
        Platform,
        /// <summary>/tenants/{id}/users: "other" is another tenant's id in the path (operators may, admins see 404).</summary>
        TenantPath,
        /// <summary>Acts in the caller's tenant, resource id in the path: "other" is a resource of another tenant (404).</summary>
        ScopedResource,
        /// <summary>Acts in the caller's tenant, no id: "other" is X-Tenant-Id of another tenant (403; operators may).</summary>
        ScopedCollection,
    }

    private sealed record Route(string Method, string Template, Scope Scope, string[] Who, int Success,
        Func<World, string, Task<Dictionary<string, string>>>? Prepare = null, Func<World, object?>? Body = null)
    {
        public override string ToString() => $"{Method} {Template}";
    }

    private static Task<Dictionary<string, string>> Ids(params (string, string)[] values) =>
        Task.FromResult(values.ToDictionary(v => v.Item1, v => v.Item2));

    /// <summary>The table: route, scope, who may call it (README), the status of success.</summary>
    private static readonly Route[] Routes =
    [
        new("POST", "/auth/login", Scope.Open, Everyone, 200, Body: w => new { email = w.LoginEmail, password = "password-123" }),
        new("GET", "/auth/me", Scope.ScopedCollection, Everyone, 200),
        new("GET", "/livez", Scope.Open, Everyone, 200),
        new("GET", "/healthz/jobs", Scope.Open, Everyone, 200),
        new("GET", "/readyz", Scope.Open, Everyone, 200),
        new("GET", "/health", Scope.Open, Everyone, 200),
        new("GET", "/healthz", Scope.Open, Everyone, 200),
        new("GET", "/health/detailed", Scope.Open, Everyone, 200),
        new("GET", "/healthz/detailed", Scope.Open, Everyone, 200),
        new("GET", "/", Scope.Open, Everyone, 200),
        new("GET", "/metrics", Scope.Open, Everyone, 200),
        new("GET", "/ping", Scope.Open, Everyone, 200),
        new("GET", "/dashboard", Scope.Platform, Operators, 200),

        new("POST", "/tenants", Scope.Platform, Operators, 201, Body: _ => new { id = TestAuth.NewSlug("mx"), name = "Matrix" }),
        new("GET", "/tenants", Scope.Platform, Operators, 200),
        new("GET", "/tenants/{id}", Scope.Platform, Operators, 200, (_, t) => Ids(("id", t))),
        new("PATCH", "/tenants/{id}", Scope.Platform, Operators, 200, (_, t) => Ids(("id", t)), _ => new { name = "Renamed" }),
        new("POST", "/tenants/{id}/suspend", Scope.Platform, Operators, 200, async (w, _) => new() { ["id"] = await w.TenantAsync() }),
        new("POST", "/tenants/{id}/activate", Scope.Platform, Operators, 200, async (w, _) => new() { ["id"] = await w.TenantAsync() }),

        new("POST", "/tenants/{id}/users", Scope.TenantPath, Admins, 201, (_, t) => Ids(("id", t)),
            w => new { email = $"new-{Guid.NewGuid():N}@matrix.test", password = "password-123", role = "viewer" }),
        new("GET", "/tenants/{id}/users", Scope.TenantPath, Admins, 200, (_, t) => Ids(("id", t))),
        new("GET", "/tenants/{id}/users/{email}", Scope.TenantPath, Admins, 200, (w, t) => Ids(("id", t), ("email", w.Shared[t].User))),
        new("PATCH", "/tenants/{id}/users/{email}", Scope.TenantPath, Admins, 200, async (w, t) => new() { ["id"] = t, ["email"] = await w.UserAsync(t) },
            _ => new { role = "reviewer" }),
        new("DELETE", "/tenants/{id}/users/{email}", Scope.TenantPath, Admins, 204, async (w, t) => new() { ["id"] = t, ["email"] = await w.UserAsync(t) }),

        new("POST", "/jobs", Scope.ScopedCollection, Writers, 202, Body: _ => new { type = "diagnostics.sleep", parameters = new { steps = 1, step_ms = 1 } }),
        new("POST", "/jobs/batch", Scope.ScopedCollection, Writers, 200,
            Body: _ => new { jobs = new[] { new { type = "diagnostics.sleep", parameters = new { steps = 1, step_ms = 1 } } } }),
        new("GET", "/jobs", Scope.ScopedCollection, Everyone, 200),
        new("GET", "/jobs/failed", Scope.ScopedCollection, Everyone, 200),
        new("GET", "/jobs/{id}", Scope.ScopedResource, Everyone, 200, (w, t) => Ids(("id", w.Shared[t].Job))),
        new("GET", "/jobs/{id}/deliveries", Scope.ScopedResource, Everyone, 200, (w, t) => Ids(("id", w.Shared[t].Job))),
        new("POST", "/jobs/{id}/cancel", Scope.ScopedResource, Writers, 200, async (w, t) => new() { ["id"] = await w.JobAsync(t, cancelled: false) }),
        new("POST", "/jobs/{id}/retry", Scope.ScopedResource, Writers, 200, async (w, t) => new() { ["id"] = await w.JobAsync(t, cancelled: true) }),

        new("POST", "/schedules", Scope.ScopedCollection, Admins, 201, Body: _ => ScheduleBody()),
        new("GET", "/schedules", Scope.ScopedCollection, Everyone, 200),
        new("GET", "/schedules/{id}", Scope.ScopedResource, Everyone, 200, (w, t) => Ids(("id", w.Shared[t].Schedule))),
        new("PATCH", "/schedules/{id}", Scope.ScopedResource, Admins, 200, async (w, t) => new() { ["id"] = await w.ScheduleAsync(t) }, _ => new { name = "renamed" }),
        new("DELETE", "/schedules/{id}", Scope.ScopedResource, Admins, 204, async (w, t) => new() { ["id"] = await w.ScheduleAsync(t) }),
        new("POST", "/schedules/{id}/pause", Scope.ScopedResource, Admins, 200, async (w, t) => new() { ["id"] = await w.ScheduleAsync(t) }),
        new("POST", "/schedules/{id}/resume", Scope.ScopedResource, Admins, 200, async (w, t) => new() { ["id"] = await w.ScheduleAsync(t) }),
        new("POST", "/schedules/{id}/trigger", Scope.ScopedResource, Writers, 202, async (w, t) => new() { ["id"] = await w.ScheduleAsync(t) }),

        new("POST", "/candidates", Scope.ScopedCollection, Writers, 201, Body: _ => CandidateBody()),
        new("POST", "/candidates/imports", Scope.ScopedCollection, Writers, 202,
            Body: _ => new StringContent("company_name,contact_email\nMatrix Co,matrix@example.com\n", System.Text.Encoding.UTF8, "text/csv")),
        new("GET", "/candidates", Scope.ScopedCollection, Everyone, 200),
        new("GET", "/candidates/stats", Scope.ScopedCollection, Everyone, 200),
        new("GET", "/candidates/{id}", Scope.ScopedResource, Everyone, 200, (w, t) => Ids(("id", w.Shared[t].Candidate))),
        new("PATCH", "/candidates/{id}", Scope.ScopedResource, Writers, 200, async (w, t) => new() { ["id"] = await w.CandidateAsync(t, approved: false) },
            _ => new { company_name = "Renamed Co" }),
        new("POST", "/candidates/{id}/approve", Scope.ScopedResource, Writers, 200, async (w, t) => new() { ["id"] = await w.CandidateAsync(t, approved: false) }),
        new("POST", "/candidates/{id}/reject", Scope.ScopedResource, Writers, 200, async (w, t) => new() { ["id"] = await w.CandidateAsync(t, approved: false) },
            _ => new { reason = "not a fit" }),
        new("GET", "/candidates/{id}/history", Scope.ScopedResource, Everyone, 200, (w, t) => Ids(("id", w.Shared[t].Candidate))),
        new("POST", "/candidates/{id}/provision", Scope.ScopedResource, Admins, 200, async (w, t) => new() { ["id"] = await w.CandidateAsync(t, approved: true) }),
    ];

    private static object ScheduleBody() => new
    {
        name = "matrix", cron = "0 0 1 1 *", time_zone = "UTC", job = new { type = "diagnostics.sleep", parameters = new { steps = 1 } },
    };

    private static object CandidateBody() => new
    {
        company_name = "Matrix Co", contact_email = $"c-{Guid.NewGuid():N}@matrix.example", products = new[] { "a" },
    };

    /// <summary>The expected status of one cell, from the route's scope and who may call it.</summary>
    private static int Expected(Route route, string role, bool other)
    {
        if (route.Scope == Scope.Open) return route.Success;
        if (role == Anonymous) return 401;
        var allowed = route.Who.Contains(role);
        return route.Scope switch
        {
            Scope.Platform => allowed ? route.Success : 403,
            // Reviewers and viewers are refused by role; an admin naming another tenant finds nothing there.
            Scope.TenantPath => !allowed ? 403 : other && role != Op ? 404 : route.Success,
            // Another tenant's resource reads as absent, to operators (acting in their selected tenant) too.
            Scope.ScopedResource => !allowed ? 403 : other ? 404 : route.Success,
            // X-Tenant-Id naming another tenant: refused for tenant users, the operator's way to pick a tenant.
            Scope.ScopedCollection => other && role != Op ? 403 : !allowed ? 403 : route.Success,
            _ => throw new InvalidOperationException(),
        };
    }

    [Fact]
    public async Task EveryRouteRoleAndTenantCellAnswersAsDeclared()
    {
        var world = await World.CreateAsync(fixture);

        // The table covers every route the API describes.
        var described = new OpenApiRoutes(await fixture.Http.GetStringAsync("/openapi/v1.json")).Operations
            .Where(o => !o.Template.StartsWith("/dashboard/", StringComparison.Ordinal))
            .Select(o => o.ToString()).ToHashSet();
        Assert.Empty(described.Except(Routes.Select(r => r.ToString())));

        var cells = Routes.SelectMany(r => new[] { (r, Anonymous, false) }
            .Concat(Everyone.SelectMany(role => new[] { (r, role, false), (r, role, true) }))).ToList();
        var actual = new ConcurrentDictionary<(string Route, string Role, bool Other), (int Status, string Body)>();
        await Parallel.ForEachAsync(cells, new ParallelOptions { MaxDegreeOfParallelism = 6 }, async (cell, _) =>
        {
            var (route, role, other) = cell;
            actual[(route.ToString(), role, other)] = await world.AskAsync(route, role, other);
        });

        var table = new StringBuilder();
        table.AppendLine($"{"route",-40} {"anon",5} " + string.Join(" ", Everyone.Select(r => $"{r[..3] + "/own",8} {r[..3] + "/oth",8}")));
        var surprises = new List<string>();
        foreach (var route in Routes)
        {
            table.Append($"{route,-40} ");
            foreach (var (role, other) in new[] { (Anonymous, false) }.Concat(Everyone.SelectMany(r => new[] { (r, false), (r, true) })))
            {
                var expected = Expected(route, role, other);
                var (status, body) = actual[(route.ToString(), role, other)];
                table.Append(role == Anonymous ? $"{status,5} " : $"{(status == expected ? status.ToString() : $"{status}!={expected}"),8} ");
                if (status != expected)
                {
                    surprises.Add($"{route} as {role} ({(other ? "other" : "own")} tenant): expected {expected}, got {status} {body[..Math.Min(body.Length, 200)]}");
                }
            }
            table.AppendLine();
        }
        output.WriteLine($"{cells.Count} cells, {surprises.Count} unexpected");
        output.WriteLine(table.ToString());
        await File.WriteAllTextAsync(Path.Combine(Path.GetTempPath(), "hostile-authorization-matrix.txt"), table.ToString());
        Console.WriteLine($"[matrix] {Routes.Length} routes, {cells.Count} cells, {surprises.Count} unexpected");
        Assert.True(surprises.Count == 0, string.Join("\n", surprises));
    }

    /// <summary>
    /// The operator's own cells: without X-Tenant-Id the list routes cover every tenant (each item names
    /// its tenant, ?tenant= narrows), and every write says it needs X-Tenant-Id (400).
    /// </summary>
    [Fact]
    public async Task OperatorsWithoutATenantReadPlatformWideListsAndMustNameATenantToWrite()
    {
        var world = await World.CreateAsync(fixture);
        var op = world.Tokens[Op];
        foreach (var path in new[] { "/candidates?limit=100", "/jobs?limit=100", "/schedules?limit=100" })
        {
            var page = await (await fixture.Http.SendAsync(HttpMethod.Get, path, op)).JsonAsync();
            var tenants = page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("tenant_id").GetString()).ToHashSet();
            Assert.True(tenants.Contains(world.A) && tenants.Contains(world.B), $"{path} covers both tenants: {string.Join(",", tenants)}");
            var narrowed = await (await fixture.Http.SendAsync(HttpMethod.Get, path + "&tenant=" + world.B, op)).JsonAsync();
            Assert.Equal([world.B], narrowed.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("tenant_id").GetString()).Distinct());
        }
        Assert.Equal(HttpStatusCode.OK, (await fixture.Http.SendAsync(HttpMethod.Get, "/jobs/failed", op)).StatusCode);
        var stats = await (await fixture.Http.SendAsync(HttpMethod.Get, "/candidates/stats", op)).JsonAsync();
        Assert.True(stats.GetProperty("total").GetInt64() >= 2);

        // A tenant user may not widen or move its view.
        var viewer = world.Tokens[Viewer];
        Assert.Equal(HttpStatusCode.BadRequest, (await fixture.Http.SendAsync(HttpMethod.Get, "/candidates?tenant=" + world.B, viewer)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await fixture.Http.SendAsync(HttpMethod.Get, "/candidates?tenant=" + world.A, viewer)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await fixture.Http.SendAsync(HttpMethod.Get, "/jobs?tenant=NOT_A_SLUG", op)).StatusCode);
        // A cursor whose id holds a NUL (PostgreSQL refuses it in text) is a forgery, not an outage.
        Assert.Equal(HttpStatusCode.BadRequest, (await fixture.Http.SendAsync(HttpMethod.Get, "/tenants?cursor=fABh", op)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await fixture.Http.SendAsync(HttpMethod.Get, $"/tenants/{world.A}/users?cursor=fABh", op)).StatusCode);

        foreach (var (path, body) in new (string, object)[]
                 {
                     ("/candidates", CandidateBody()), ("/jobs", new { type = "diagnostics.sleep", parameters = new { steps = 1 } }), ("/schedules", ScheduleBody()),
                 })
        {
            var refused = await fixture.Http.SendAsync(HttpMethod.Post, path, op, body);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.True((await refused.JsonAsync()).GetProperty("errors").TryGetProperty("X-Tenant-Id", out _), $"POST {path} names X-Tenant-Id");
        }
    }

    private sealed record SharedIds(string User, string Job, string Schedule, string Candidate);

    /// <summary>Tenant A (the callers' own) and B (the other), their users, and makers of fresh resources.</summary>
    private sealed class World
    {
        private readonly HttpClient _http;
        private readonly Scenario _s;
        public string A = "", B = "";
        public string LoginEmail = "";
        public readonly Dictionary<string, string> Tokens = new();
        public readonly Dictionary<string, SharedIds> Shared = new();

        private World(HttpClient http, Scenario s) => (_http, _s) = (http, s);

        public static async Task<World> CreateAsync(ClusterFixture fixture)
        {
            var s = await Scenario.StartAsync(fixture.Http);
            var w = new World(fixture.Http, s);
            w.A = await s.CreateTenantAsync(new { requests_per_second = 100_000 }, TestAuth.NewSlug("mxa"));
            w.B = await s.CreateTenantAsync(new { requests_per_second = 100_000 }, TestAuth.NewSlug("mxb"));
            w.Tokens[Op] = s.OperatorToken;
            foreach (var role in new[] { Admin, Reviewer, Viewer })
            {
                w.Tokens[role] = await s.UserTokenAsync(w.A, role);
            }
            w.LoginEmail = await w.UserAsync(w.A);
            foreach (var t in new[] { w.A, w.B })
            {
                w.Shared[t] = new SharedIds(await w.UserAsync(t), await w.JobAsync(t, cancelled: false), await w.ScheduleAsync(t),
                    await w.CandidateAsync(t, approved: false));
            }
            return w;
        }

        public async Task<(int Status, string Body)> AskAsync(Route route, string role, bool other)
        {
            // The tenant whose resource the path names, and the tenant the caller acts in.
            var target = other && route.Scope is Scope.Platform or Scope.TenantPath or Scope.ScopedResource ? B : A;
            var ids = route.Prepare is null ? new Dictionary<string, string>() : await route.Prepare(this, target);
            var path = ids.Aggregate(route.Template, (p, kv) => p.Replace("{" + kv.Key + "}", Uri.EscapeDataString(kv.Value), StringComparison.Ordinal));
            if (route.Template == "/dashboard") path = "/dashboard/";
            string? header = null;
            if (route.Scope is Scope.ScopedCollection or Scope.ScopedResource)
            {
                // Operators pick their tenant; tenant users send the other tenant's id to try to reach it.
                header = role == Op ? other && route.Scope == Scope.ScopedCollection ? B : A
                    : other && route.Scope == Scope.ScopedCollection ? B : null;
            }
            var token = role == Anonymous ? null : Tokens[role];
            var response = await _http.SendAsync(TestAuth.Request(new HttpMethod(route.Method), path, token, route.Body?.Invoke(this), header));
            return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
        }

        private async Task<string> CreateAsync(string tenant, string path, object body, HttpStatusCode expected)
        {
            var response = await _http.SendAsync(HttpMethod.Post, path, _s.OperatorToken, body, tenant);
            Assert.True(response.StatusCode == expected, $"{path} in {tenant}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            return (await response.JsonAsync()).GetProperty("id").GetString()!;
        }

        public async Task<string> TenantAsync() => await _s.CreateTenantAsync(slug: TestAuth.NewSlug("mxt"));

        public async Task<string> UserAsync(string tenant)
        {
            var email = $"u-{Guid.NewGuid():N}@{tenant}.test";
            var response = await _http.SendAsync(HttpMethod.Post, $"/tenants/{tenant}/users", _s.OperatorToken, new { email, password = "password-123", role = "viewer" });
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            return email;
        }

        public async Task<string> JobAsync(string tenant, bool cancelled)
        {
            var id = await CreateAsync(tenant, "/jobs", new { type = "diagnostics.sleep", parameters = new { steps = 100, step_ms = 100 } }, HttpStatusCode.Accepted);
            if (cancelled)
            {
                var cancel = await _http.SendAsync(HttpMethod.Post, $"/jobs/{id}/cancel", _s.OperatorToken, tenant: tenant);
                Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
                await Wait.UntilAsync(async () =>
                {
                    var job = await (await _http.SendAsync(HttpMethod.Get, $"/jobs/{id}", _s.OperatorToken, tenant: tenant)).JsonAsync();
                    return job.GetProperty("status").GetString() == "cancelled";
                }, TimeSpan.FromSeconds(30), $"job {id} cancelled");
            }
            return id;
        }

        public Task<string> ScheduleAsync(string tenant) => CreateAsync(tenant, "/schedules", ScheduleBody(), HttpStatusCode.Created);

        public async Task<string> CandidateAsync(string tenant, bool approved)
        {
            var id = await CreateAsync(tenant, "/candidates", CandidateBody(), HttpStatusCode.Created);
            if (approved)
            {
                Assert.Equal(HttpStatusCode.OK, (await _http.SendAsync(HttpMethod.Post, $"/candidates/{id}/approve", _s.OperatorToken, tenant: tenant)).StatusCode);
            }
            return id;
        }
    }
}
