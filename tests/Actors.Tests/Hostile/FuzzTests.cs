using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Actors.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Actors.Tests.Hostile;

/// <summary>Its own cluster: ten thousand hostile requests must not slow the other collections' tests.</summary>
[CollectionDefinition(Name)]
public sealed class HostileCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "hostile";
}

/// <summary>
/// Property-based test of every route of the live OpenAPI description: seeded, so a failure
/// reproduces with the same <c>HOSTILE_FUZZ_SEED</c>. Properties: never a 5xx, never a stack trace or
/// an exception name in a body, every 4xx is problem details, and a batch of requests that were all
/// refused leaves the database as it was.
/// </summary>
[Collection(HostileCollection.Name)]
public sealed partial class FuzzTests(ClusterFixture fixture, ITestOutputHelper output)
{
    private static int Seed => int.TryParse(Environment.GetEnvironmentVariable("HOSTILE_FUZZ_SEED"), out var s) ? s : 20260101;
    private static int Count => int.TryParse(Environment.GetEnvironmentVariable("HOSTILE_FUZZ_COUNT"), out var c) ? c : 10_000;

    [Fact]
    public async Task HostileRequestsToEveryRouteNeverGet5xxOrLeakInternals()
    {
        var api = await LoadApiAsync();
        var world = await World.CreateAsync(fixture, "fz");
        var targets = world.Targets();
        var generator = new FuzzGenerator(new Random(Seed), api, targets, alwaysInvalid: false);
        var operations = Operations(api).ToList();

        // Round-robin over the operations so every route gets its share; generated up front, in order, from the seed.
        var requests = Enumerable.Range(0, Count).Select(i => generator.Next(operations[i % operations.Count])).ToList();
        var stopwatch = Stopwatch.StartNew();
        var results = await SendAllAsync(requests);
        stopwatch.Stop();

        Report("fuzz", results, stopwatch.Elapsed);
        var failures = Failures(results);
        await File.WriteAllLinesAsync(Path.Combine(Path.GetTempPath(), "hostile-fuzz-failures.txt"), failures);
        Assert.True(failures.Count == 0, $"{failures.Count} of {results.Count} requests broke a property (seed {Seed}):\n" + string.Join("\n", failures.Take(25)));
        Assert.True(results.Count >= Count);
        await world.CleanUpAsync();
    }

    [Fact]
    public async Task BatchesOfRefusedRequestsLeaveTheDatabaseUnchanged()
    {
        var api = await LoadApiAsync();
        var world = await World.CreateAsync(fixture, "fr");
        var generator = new FuzzGenerator(new Random(Seed + 1), api, world.Targets(), alwaysInvalid: true);
        // Every write route, each request carrying a mutation the API must refuse (login is left out:
        // a refused login legitimately counts a failed attempt).
        var operations = Operations(api).Where(o => o.Method != "GET" && o.Template != "/auth/login").ToList();
        var all = new List<Result>();
        int compared = 0, skipped = 0;
        var stopwatch = Stopwatch.StartNew();
        var accepted = new List<string>();
        for (var batch = 0; batch < 20; batch++)
        {
            var requests = Enumerable.Range(0, 100).Select(i => generator.Next(operations[(batch * 100 + i) % operations.Count])).ToList();
            var before = await world.SnapshotAsync();
            var results = await SendAllAsync(requests);
            all.AddRange(results);
            var notRefused = results.Where(r => r.Status is (> 0 and < 400) or >= 500).ToList();
            if (notRefused.Count > 0)
            {
                skipped++;
                accepted.AddRange(notRefused.Select(r => $"{r.Status} {r.Request.Describe()}"));
                continue;
            }
            var after = await world.SnapshotAsync();
            Assert.True(before == after, $"batch {batch} of refused requests changed the database:\nbefore {before}\nafter  {after}");
            compared++;
        }
        stopwatch.Stop();
        Report("refused", all, stopwatch.Elapsed);
        output.WriteLine($"batches compared: {compared}, skipped (some request accepted): {skipped}");
        Assert.True(accepted.Count == 0, "requests that must be refused were accepted:\n" + string.Join("\n", accepted.Take(20)));
        var failures = Failures(all);
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(25)));
    }

    private async Task<OpenApiRoutes> LoadApiAsync() => new(await fixture.Http.GetStringAsync("/openapi/v1.json"));

    /// <summary>The API's operations; the dashboard's own asset routes are served by the Orleans dashboard package.</summary>
    private static IEnumerable<ApiOperation> Operations(OpenApiRoutes api) =>
        api.Operations.Where(o => !o.Template.StartsWith("/dashboard/", StringComparison.Ordinal)
                                  || o.Template is "/dashboard/version" or "/dashboard/ClusterStats");

    public sealed record Result(FuzzRequest Request, int Status, string? MediaType, string Body, string? Error);

    private async Task<List<Result>> SendAllAsync(IReadOnlyList<FuzzRequest> requests)
    {
        using var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = 32,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            // Send non-ASCII header values as UTF-8 bytes instead of refusing them client-side: the server must cope.
            RequestHeaderEncodingSelector = (_, _) => Encoding.UTF8,
        };
        using var http = new HttpClient(handler) { BaseAddress = fixture.Http.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        var results = new ConcurrentBag<Result>();
        await Parallel.ForEachAsync(requests, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (r, ct) =>
        {
            var result = await SendOnceAsync(http, r, ct);
            if (result.Error is not null && result.Error.StartsWith("HttpRequestException", StringComparison.Ordinal) && !(r.Body?.Length > MaxBody))
            {
                // A pooled connection the server had closed (after a 413 on it): resend once on a fresh connection.
                Interlocked.Increment(ref _resent);
                using var fresh = new HttpClient { BaseAddress = fixture.Http.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
                var again = await SendOnceAsync(fresh, r, ct);
                result = again with { Error = again.Error is null ? null : again.Error + " (first: " + result.Error + ")" };
            }
            results.Add(result);
        });
        return results.OrderBy(r => r.Request.Seq).ToList();
    }

    private int _resent;

    private static async Task<Result> SendOnceAsync(HttpClient http, FuzzRequest r, CancellationToken ct)
    {
        using var message = new HttpRequestMessage(new HttpMethod(r.Method), r.Path);
        foreach (var (name, value) in r.Headers)
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }
        if (r.Body is not null)
        {
            message.Content = new ByteArrayContent(r.Body);
            if (r.ContentType is not null) message.Content.Headers.TryAddWithoutValidation("Content-Type", r.ContentType);
        }
        try
        {
            using var response = await http.SendAsync(message, ct);
            var body = await response.Content.ReadAsStringAsync(ct);
            return new Result(r, (int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, body, null);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or InvalidOperationException or FormatException)
        {
            // The client refused to send it (an invalid header) or the server dropped the connection.
            return new Result(r, 0, null, "", ex.GetType().Name + ": " + ex.Message + (ex.InnerException is { } inner ? " / " + inner.Message : ""));
        }
    }

    [GeneratedRegex(@"\bat [\w.`<>]+\(|\w+Exception\b|Npgsql|Orleans\.|System\.[A-Z]|StackTrace|\.cs:line")]
    private static partial Regex Internals();

    private static List<string> Failures(IEnumerable<Result> results)
    {
        var failures = new List<string>();
        foreach (var r in results)
        {
            if (r.Error is not null)
            {
                // The client could not send an invalid header value: not the server's doing. A body over
                // 1 MB is answered 413 and the connection closed while the client still uploads.
                if (r.Error.StartsWith("InvalidOperationException", StringComparison.Ordinal) || r.Error.StartsWith("FormatException", StringComparison.Ordinal)
                    || r.Request.Body?.Length > MaxBody) continue;
                // The client itself refused to write a non-ASCII header (on a fresh connection it says so
                // as an HttpRequestException): nothing reached the server.
                if (r.Error.StartsWith("HttpRequestException: Request headers must contain only ASCII characters", StringComparison.Ordinal)) continue;
                failures.Add($"transport error {r.Error}: {r.Request.Describe()}");
            }
            else if (r.Status == 400 && r.Body.Length == 0 && KestrelRefuses(r.Request))
            {
                // Kestrel refuses a NUL in the path or a non-ASCII header before any middleware runs: a bare 400.
            }
            else if (r.Status >= 500)
            {
                failures.Add($"{r.Status}: {r.Request.Describe()} => {Clip(r.Body)}");
            }
            // The dashboard and /metrics name .NET types by design (e.g. the runtime's exceptions counter by error type).
            else if (Internals().Match(r.Body) is { Success: true } m && !r.Request.Path.StartsWith("/dashboard", StringComparison.Ordinal)
                     && !(r.Status == 200 && r.Request.Path.StartsWith("/metrics", StringComparison.Ordinal)))
            {
                failures.Add($"{r.Status} leaks '{m.Value}': {r.Request.Describe()} => {Clip(r.Body)}");
            }
            else if (r.Status >= 400 && r.MediaType != "application/problem+json")
            {
                failures.Add($"{r.Status} not problem details ({r.MediaType}): {r.Request.Describe()} => {Clip(r.Body)}");
            }
        }
        return failures;
    }

    private const int MaxBody = 1024 * 1024;

    private static bool KestrelRefuses(FuzzRequest r) =>
        r.Path.Contains("%00", StringComparison.Ordinal) || r.Headers.Any(h => h.Value.Any(c => c > 0x7e || c < 0x20));

    private static string Clip(string s) => s.Length > 400 ? s[..400] + "…" : s;

    private void Report(string name, IReadOnlyList<Result> results, TimeSpan elapsed)
    {
        var line = $"[{name}] seed {Seed}: {results.Count} requests in {elapsed.TotalSeconds:F1} s ({results.Count / Math.Max(0.001, elapsed.TotalSeconds):F0}/s); status: " +
                   string.Join(", ", results.GroupBy(r => r.Status).OrderBy(g => g.Key).Select(g => $"{g.Key}×{g.Count()}"));
        output.WriteLine(line + $"; resent after a dropped connection: {_resent}");
        Console.WriteLine(line + $"; resent after a dropped connection: {_resent}");
        var byRoute = results.GroupBy(r => r.Request.Operation.ToString()).OrderBy(g => g.Key)
            .Select(g => $"  {g.Key}: " + string.Join(" ", g.GroupBy(r => r.Status).OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Count()}")));
        foreach (var l in byRoute) output.WriteLine(l);
    }

    /// <summary>
    /// A tenant with its users and one of each resource, a spare tenant for the tenant routes, and another
    /// tenant whose name may turn up in headers.
    /// </summary>
    private sealed class World
    {
        private readonly ClusterFixture _fixture;
        private Scenario _s = null!;
        private string _tenant = "", _spare = "", _other = "";
        private string _admin = "", _reviewer = "", _viewer = "";
        private readonly Dictionary<string, string[]> _ids = new();

        private World(ClusterFixture fixture) => _fixture = fixture;

        public static async Task<World> CreateAsync(ClusterFixture fixture, string prefix)
        {
            var w = new World(fixture);
            var http = fixture.Http;
            w._s = await Scenario.StartAsync(http);
            w._tenant = await w._s.CreateTenantAsync(new { requests_per_second = 1_000_000, max_concurrent_jobs = 2 }, TestAuth.NewSlug(prefix));
            w._spare = await w._s.CreateTenantAsync(new { requests_per_second = 1_000_000 }, TestAuth.NewSlug(prefix + "s"));
            w._other = await w._s.CreateTenantAsync(slug: TestAuth.NewSlug(prefix + "o"));
            w._admin = await w._s.UserTokenAsync(w._tenant, "admin");
            w._reviewer = await w._s.UserTokenAsync(w._tenant, "reviewer");
            w._viewer = await w._s.UserTokenAsync(w._tenant, "viewer");
            var victims = new List<string>();
            for (var i = 0; i < 3; i++)
            {
                var email = $"victim{i}@{w._tenant}.test";
                await w._s.UserTokenAsync(w._tenant, "viewer", email);
                victims.Add(email);
            }
            var candidates = new List<string>();
            for (var i = 0; i < 3; i++)
            {
                var c = await http.SendAsync(HttpMethod.Post, "/candidates", w._admin,
                    new { company_name = "Fuzz Co " + i, contact_email = $"c{i}@fuzz.example", products = new[] { "a" } });
                Assert.Equal(HttpStatusCode.Created, c.StatusCode);
                candidates.Add((await c.JsonAsync()).GetProperty("id").GetString()!);
            }
            var job = await http.SendAsync(HttpMethod.Post, "/jobs", w._admin, new { type = "diagnostics.sleep", parameters = new { steps = 1, step_ms = 1 } });
            Assert.Equal(HttpStatusCode.Accepted, job.StatusCode);
            var jobId = (await job.JsonAsync()).GetProperty("id").GetString()!;
            await http.WaitForStatusAsync(w._admin, "/jobs/" + jobId, "completed");
            var schedule = await http.SendAsync(HttpMethod.Post, "/schedules", w._admin,
                new { name = "fuzz", cron = "0 0 1 1 *", time_zone = "UTC", job = new { type = "diagnostics.sleep", parameters = new { steps = 1 } } });
            Assert.Equal(HttpStatusCode.Created, schedule.StatusCode);
            var scheduleId = (await schedule.JsonAsync()).GetProperty("id").GetString()!;
            Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(HttpMethod.Post, $"/schedules/{scheduleId}/pause", w._admin)).StatusCode);

            w._ids["tenant"] = [w._tenant];
            w._ids["spare_tenant"] = [w._spare];
            w._ids["email"] = [.. victims];
            w._ids["candidates"] = [.. candidates];
            w._ids["jobs"] = [jobId];
            w._ids["schedules"] = [scheduleId];
            w._ids["path"] = ["x"];
            return w;
        }

        public FuzzTargets Targets() => new(_tenant, _spare, _other,
            [
                (_admin, null, 55),
                (_s.OperatorToken, _tenant, 20),
                (_reviewer, null, 8),
                (_viewer, null, 7),
                (_s.OperatorToken, null, 4),
                ("", null, 4),
                ("eyJhbGciOiJub25lIn0.e30.", null, 1),
                (_admin, _other, 1),
            ],
            _ids);

        /// <summary>The tenant's rows in every domain table, its grains' stored state, and the global counts.</summary>
        public async Task<string> SnapshotAsync()
        {
            var db = _fixture.Database;
            var parts = new List<string>();
            foreach (var (table, where) in new[]
                     {
                         ("tenants", "id = @t"), ("users", "tenant_id = @t"), ("candidates", "tenant_id = @t"),
                         ("jobs", "tenant_id = @t"), ("schedules", "tenant_id = @t"),
                     })
            {
                parts.Add(table + "=" + await db.ScalarAsync<string>(
                    $"SELECT count(*) || ':' || coalesce(md5(string_agg(x::text, '|' ORDER BY x::text)), '') FROM {table} x WHERE {where}", ("t", _tenant)));
            }
            parts.Add("grains=" + await db.ScalarAsync<string>(
                "SELECT count(*) || ':' || coalesce(md5(string_agg(graintypestring || grainidn0 || '.' || grainidn1 || '.' || coalesce(grainidextension, '') || '.' || version, '|' ORDER BY graintypestring, grainidn0, grainidn1, grainidextension)), '') FROM grain_state WHERE grainidextension LIKE '%' || @t || '%'",
                ("t", _tenant)));
            parts.Add("all=" + await db.ScalarAsync<string>("SELECT (SELECT count(*) FROM tenants) || '/' || (SELECT count(*) FROM users)"));
            return string.Join(" ", parts);
        }

        /// <summary>Deletes the schedules the fuzz may have created, so their reminders stop.</summary>
        public async Task CleanUpAsync()
        {
            var list = await (await _fixture.Http.SendAsync(HttpMethod.Get, "/schedules?limit=100", _s.OperatorToken, tenant: _tenant)).JsonAsync();
            foreach (var item in list.GetProperty("items").EnumerateArray())
            {
                await _fixture.Http.SendAsync(HttpMethod.Delete, "/schedules/" + item.GetProperty("id").GetString(), _s.OperatorToken, tenant: _tenant);
            }
        }
    }
}
