using System.Collections.Concurrent;
using System.CommandLine;
using System.Globalization;
using System.Net;
using Actors.Bench;
using Npgsql;

// The load generator of scripts/bench.sh: loads a running stack over HTTP and prints one table.
// Options (all --name value, see Options.cs and `--help`): scripts/bench.sh passes them.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
ThreadPool.SetMinThreads(256, 256);

// Scenarios J and I have their own subcommands: `jobs` measures Actors' job engine, `jobs-report` renders
// its table, `import` measures bulk CSV ingestion.
var root = Options.Root(RunAsync);
root.Subcommands.Add(JobsScenario.Command());
root.Subcommands.Add(JobsReport.Command());
root.Subcommands.Add(ImportScenario.Command());
// `Actors.Bench [diagram] <options>` shows how a command line parses, without running it.
root.Directives.Add(new DiagramDirective());
return await root.Parse(args).InvokeAsync();

// The API scenarios (A to D), each pass of them, and the report.
async Task<int> RunAsync(Options options)
{
    var timing = new Timing(TimeSpan.FromSeconds(options.WarmUpSeconds), TimeSpan.FromSeconds(options.MeasureSeconds));
    var report = new Report(options);
    report.Machine.Capture("start");
    var cpu = new CpuMeter(options.ApiPid, options.SiloPids, options.PostmasterPid);

    using var api = new Api(new Uri(options.ApiUrl));
    await api.SetUpAsync(options.Email, options.Password, maxConcurrentJobs: 2);
    await using var db = NpgsqlDataSource.Create(options.ConnectionString);
    report.Machine.PostgresVersion = (string?)await db.CreateCommand("SHOW server_version").ExecuteScalarAsync() ?? "";
    Console.Error.WriteLine($"[bench] tenant {api.TenantId}; warm-up {options.WarmUpSeconds} s, window {options.MeasureSeconds} s per scenario");

    // Reference A: pgbench on the same PostgreSQL at the same concurrency as the write scenarios.
    var referenceA = await Step("A: pgbench", async () =>
    {
        var window = LoadRunner.MarkWindowAsync(timing);
        await PgBench.RunAsync(options.PgBench, options.ConnectionString, options.PgBenchScript, options.WriteConcurrency, timing,
            options.PgBenchLogPrefix, options.PgBenchSummary, pid => cpu.ExternalLoadPid = pid);
        await window;
        cpu.ExternalLoadPid = 0;
        return PgBench.Read(options.PgBenchLogPrefix, options.PgBenchSummary, timing, options.WriteConcurrency);
    });
    report.Add("A: pgbench single-row UPDATE by primary key", referenceA, null, 0);

    // Reference B: the trivial JSON endpoint (no token, no grain, no database).
    Operation ping = async (_, ct) => await Api.DrainAsync(await api.Anonymous.GetAsync("/ping", ct), ct);
    var referenceB = await Step("B: GET /ping (no grain)", () => LoadRunner.ClosedAsync(options.HttpConcurrency, timing, ping));
    report.Add("B: GET /ping (no grain)", referenceB, null, 0);
    report.Add("B: GET /ping (no grain)", await Step("B at a fixed rate", () => Rate(referenceB, ping)), "offered", Offered(referenceB));

    // Warm-up: every scenario once, briefly and unrecorded, so the first measured pass does not pay for
    // the JIT's first tiers and the pools' growth (the preloaded pass would otherwise look faster).
    var measured = timing;
    timing = new Timing(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));
    report.Recording = false;
    await RunPassAsync(" [warm-up]", hotKey: false);
    report.Recording = true;
    timing = measured;
    await DrainJobsAsync();

    await RunPassAsync("", hotKey: true);
    // The pass's jobs run in the background (2 at a time): let them finish so D's run does not pay for them.
    await DrainJobsAsync();

    if (options.ReferenceD.Length > 0)
    {
        await ReferenceDAsync();
    }

    if (options.Preload > 0)
    {
        // The same scenarios again once the tenant holds Preload candidates and Preload finished jobs.
        await Step($"preload {options.Preload:N0} candidates and jobs", async () => { await Preload.RunAsync(db, api.TenantId, options.Preload); return 0; });
        await RunPassAsync(" [preloaded]", hotKey: false);
    }

    report.Machine.Capture("end");
    var markdown = report.Render();
    Console.WriteLine(markdown);
    Directory.CreateDirectory(options.OutputDirectory);
    var stamp = DateTime.UtcNow.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
    await File.WriteAllTextAsync(Path.Combine(options.OutputDirectory, stamp + ".md"), markdown);
    await File.WriteAllTextAsync(Path.Combine(options.OutputDirectory, "latest.md"), markdown);
    Console.Error.WriteLine($"[bench] written {Path.Combine(options.OutputDirectory, stamp + ".md")} and latest.md");
    return 0;

    async Task RunPassAsync(string suffix, bool hotKey)
    {
        // Create candidate: the ids feed the read and approve/reject scenarios.
        var pool = new ConcurrentQueue<Guid>();
        var created = new ConcurrentQueue<Guid>();
        Operation create = async (sequence, ct) =>
        {
            using var body = Api.Json(
                $$"""{"company_name":"Bench Co {{sequence}}","contact_email":"c{{sequence}}@bench.example","contact_phone":"+1 555 0100","products":["hosting","support"]}""");
            var response = await api.Tenant.PostAsync("/candidates", body, ct);
            if (response.StatusCode == HttpStatusCode.Created && response.Headers.Location is { } location
                && Guid.TryParse(location.OriginalString.Split('/')[^1], out var id))
            {
                pool.Enqueue(id);
                created.Enqueue(id);
            }
            return await Api.DrainAsync(response, ct);
        };
        var createMax = await Step(suffix + "create candidate", () => LoadRunner.ClosedAsync(options.WriteConcurrency, timing, create));
        report.Add(suffix, "POST /candidates (create, durable)", createMax, "A", referenceA.PerSecond);
        report.Add(suffix, "POST /candidates (create, durable)", await Step(suffix + "create at a fixed rate", () => Rate(createMax, create)), "offered", Offered(createMax));

        // Read one candidate: its grain is in memory (all were just created).
        var readable = created.Take(1000).ToArray();
        Operation read = async (sequence, ct) =>
            await Api.DrainAsync(await api.Tenant.GetAsync($"/candidates/{readable[sequence % readable.Length]}", ct), ct);
        var readMax = await Step(suffix + "read candidate", () => LoadRunner.ClosedAsync(options.HttpConcurrency, timing, read));
        report.Add(suffix, "GET /candidates/{id} (grain in memory)", readMax, "B", referenceB.PerSecond);
        report.Add(suffix, "GET /candidates/{id} (grain in memory)", await Step(suffix + "read at a fixed rate", () => Rate(readMax, read)), "offered", Offered(readMax));

        // Approve/reject: each pending candidate is decided once; every decision is a durable write.
        var needed = (long)(Math.Max(createMax.PerSecond, 200) * 5 * timing.Total.TotalSeconds); // a decision is about 3x cheaper than a create
        for (var round = 0; round < 6 && pool.Count < needed; round++)
        {
            Console.Error.WriteLine($"[bench] topping up the approve/reject pool: {pool.Count} of {needed}");
            await LoadRunner.ClosedAsync(options.HttpConcurrency, new Timing(TimeSpan.Zero, TimeSpan.FromSeconds(4)), create);
        }
        Operation decide = async (sequence, ct) =>
        {
            if (!pool.TryDequeue(out var id))
            {
                return null;
            }
            var response = sequence % 2 == 0
                ? await api.Tenant.PostAsync($"/candidates/{id}/approve", null, ct)
                : await api.Tenant.PostAsync($"/candidates/{id}/reject", Api.Json("""{"reason":"benchmark"}"""), ct);
            return await Api.DrainAsync(response, ct);
        };
        var decideMax = await Step(suffix + "approve/reject", () => LoadRunner.ClosedAsync(options.WriteConcurrency, timing, decide));
        report.Add(suffix, "POST /candidates/{id}/approve or /reject (durable)", decideMax, "A", referenceA.PerSecond);

        // List with a status filter: read from the candidates table (index on tenant, status, created_at).
        Operation list = async (sequence, ct) => await Api.DrainAsync(
            await api.Tenant.GetAsync(sequence % 2 == 0 ? "/candidates?status=pending&limit=20" : "/candidates?status=approved&limit=20", ct), ct);
        var listMax = await Step(suffix + "list candidates", () => LoadRunner.ClosedAsync(options.HttpConcurrency, timing, list));
        report.Add(suffix, "GET /candidates?status=… (table, 20 rows)", listMax, "B", referenceB.PerSecond);
        report.Add(suffix, "GET /candidates?status=… (table, 20 rows)", await Step(suffix + "list at a fixed rate", () => Rate(listMax, list)), "offered", Offered(listMax));

        if (hotKey)
        {
        // Hot key, reference C first (so the grain path runs second, on a database as warm as C's).
        var baseline = new OptimisticBaseline(db);
        var hotRow = await baseline.PrepareAsync();
        var referenceC = await Step(suffix + "C: optimistic locking, hot key", () => baseline.HotKeyAsync(hotRow, options.HotClients, timing));
        report.Add(suffix, "C: optimistic locking, 1 row (Npgsql)", referenceC.Run, null, 0);

        // Hot key, grain path: every client changes the same candidate; no If-Match, so no 412 is expected and no 409.
        using var hotBody = Api.Json("""{"company_name":"Hot Co","contact_email":"hot@bench.example"}""");
        var hot = (await Api.JsonAsync(await api.Tenant.PostAsync("/candidates", hotBody), HttpStatusCode.Created)).GetProperty("id").GetGuid();
        Operation patch = async (sequence, ct) => await Api.DrainAsync(
            await api.Tenant.PatchAsync($"/candidates/{hot}", Api.Json($$"""{"company_name":"Hot Co {{sequence}}"}"""), ct), ct);
        var hotGrain = await Step(suffix + "hot key, grain path", () => LoadRunner.ClosedAsync(options.HotClients, timing, patch));
        report.Add(suffix, "PATCH one candidate, grain path (hot key)", hotGrain, "C", referenceC.Run.PerSecond);
        var history = (await Api.JsonAsync(await api.Tenant.GetAsync($"/candidates/{hot}/history"), HttpStatusCode.OK)).GetArrayLength();
        await using (var size = db.CreateCommand(
            "SELECT coalesce(max(pg_column_size(c.*)), 0) FROM candidates c WHERE id = @id"))
        {
            size.Parameters.AddWithValue("id", hot);
            report.HotKey = new HotKeySummary(hotGrain, referenceC, history, Convert.ToInt64(await size.ExecuteScalarAsync(), CultureInfo.InvariantCulture));
        }
        }

    // Submit a job: last, because the queued jobs then run in the background.
        Operation submit = async (_, ct) => await Api.DrainAsync(await api.Tenant.PostAsync("/jobs",
            Api.Json("""{"type":"diagnostics.sleep","parameters":{"steps":1,"step_ms":0},"max_attempts":1}"""), ct), ct);
        var submitMax = await Step(suffix + "submit job", () => LoadRunner.ClosedAsync(options.WriteConcurrency, timing, submit));
        report.Add(suffix, "POST /jobs (submit, durable)", submitMax, "A", referenceA.PerSecond);
    }

    // Reference D: the seeds' design over HTTP (bench/Actors.BenchReference), the same approve on uniform
    // keys and the same change of one row (hot key), behind the same JWT validation.
    async Task ReferenceDAsync()
    {
        using var d = new HttpClient { BaseAddress = new Uri(options.ReferenceD), Timeout = TimeSpan.FromSeconds(30) };
        d.DefaultRequestHeaders.Authorization = api.Tenant.DefaultRequestHeaders.Authorization;
        var pending = new ConcurrentQueue<Guid>();
        await using (var ids = db.CreateCommand("SELECT id FROM bench_d_candidates WHERE status = 'pending' AND company_name <> 'Hot Co'"))
        await using (var reader = await ids.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync()) pending.Enqueue(reader.GetGuid(0));
        }
        Operation approveD = async (_, ct) => pending.TryDequeue(out var id)
            ? await Api.DrainAsync(await d.PostAsync($"/candidates/{id}/approve", null, ct), ct)
            : null;
        cpu.StandInApiPid = options.ReferenceDPid;
        var uniform = await Step("D: approve over Npgsql, uniform keys", () => LoadRunner.ClosedAsync(options.WriteConcurrency, timing, approveD));
        report.Add("", "D: approve, seeds' design over HTTP (uniform keys)", uniform, null, 0);
        var hotD = (Guid)(await db.CreateCommand("SELECT id FROM bench_d_candidates WHERE company_name = 'Hot Co'").ExecuteScalarAsync())!;
        Operation patchD = async (sequence, ct) => await Api.DrainAsync(
            await d.PatchAsync($"/candidates/{hotD}", Api.Json($$"""{"company_name":"Hot Co {{sequence}}"}"""), ct), ct);
        var hotRun = await Step("D: hot key", () => LoadRunner.ClosedAsync(options.HotClients, timing, patchD));
        report.Add("", "D: PATCH one candidate, seeds' design over HTTP (hot key)", hotRun, null, 0);
        cpu.StandInApiPid = 0;
        // The grain path again, right after D and on a fresh candidate as D's row was, so both hot-key
        // runs see the same machine.
        using var freshBody = Api.Json("""{"company_name":"Hot Co 2","contact_email":"hot2@bench.example"}""");
        var fresh = (await Api.JsonAsync(await api.Tenant.PostAsync("/candidates", freshBody), HttpStatusCode.Created)).GetProperty("id").GetGuid();
        Operation patchFresh = async (sequence, ct) => await Api.DrainAsync(
            await api.Tenant.PatchAsync($"/candidates/{fresh}", Api.Json($$"""{"company_name":"Hot Co {{sequence}}"}"""), ct), ct);
        var again = await Step("hot key, grain path (after D)", () => LoadRunner.ClosedAsync(options.HotClients, timing, patchFresh));
        report.Add("", "PATCH one candidate, grain path (hot key, after D)", again, "D", hotRun.PerSecond);
    }

    // The first pass's jobs drain before the preload, so they do not run during the second pass.
    async Task DrainJobsAsync()
    {
        using var raise = await api.Tenant.PatchAsync($"/tenants/{api.TenantId}", Api.Json(new { settings = new { max_concurrent_jobs = 64 } }));
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (DateTime.UtcNow < deadline)
        {
            var active = (long)(await db.CreateCommand(
                $"SELECT coalesce(sum(n), 0)::bigint FROM counters WHERE tenant_id = '{api.TenantId}' AND kind = 'job.status' AND key IN ('queued', 'processing')").ExecuteScalarAsync())!;
            if (active == 0) break;
            Console.Error.WriteLine($"[bench] waiting for {active} jobs to finish before the preload");
            await Task.Delay(2000);
        }
        using var lower = await api.Tenant.PatchAsync($"/tenants/{api.TenantId}", Api.Json(new { settings = new { max_concurrent_jobs = 2 } }));
    }

    Task<RunResult> Rate(RunResult max, Operation operation) =>
        LoadRunner.OpenAsync(Offered(max), options.MaxInFlight, timing, operation);

    double Offered(RunResult max) => Math.Max(10, Math.Round(max.PerSecond * options.RateFraction / 10) * 10);

    async Task<T> Step<T>(string name, Func<Task<T>> run)
    {
        Console.Error.WriteLine($"[bench] {DateTime.UtcNow:HH:mm:ss} {name}");
        CpuMeter.Snapshot? opened = null;
        report.PendingUsage = null;
        LoadRunner.OnWindow = start =>
        {
            if (start) opened = cpu.Take();
            else if (opened is not null) report.PendingUsage = CpuMeter.Between(opened, cpu.Take());
        };
        var result = await run();
        LoadRunner.OnWindow = null;
        foreach (var error in Errors.Drain().Take(5))
        {
            Console.Error.WriteLine($"[bench]   error: {error}");
        }
        return result;
    }
}
