using System.Collections.Concurrent;
using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using System.Text;
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

internal sealed record HotKeySummary(RunResult Grain, OptimisticBaseline.HotKeyResult Baseline, int HistoryEntries, long StateBytes);

internal sealed class Machine
{
    private readonly List<string> _load = [];
    private (long Busy, long Total)? _cpuStart;

    public string PostgresVersion { get; set; } = "";
    public double? BusyPercent { get; private set; }
    public IReadOnlyList<string> Load => _load;

    /// <summary>Load average and CPU use of the whole machine (other people's builds included).</summary>
    public void Capture(string when)
    {
        _load.Add($"{when}: {Read("/proc/loadavg").Split(' ').Take(3).Aggregate((a, b) => a + " " + b)}");
        var cpu = Read("/proc/stat").Split('\n')[0].Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(long.Parse).ToArray();
        if (cpu.Length < 5)
        {
            return;
        }
        var idle = cpu[3] + cpu[4];
        var total = cpu.Sum();
        if (_cpuStart is { } start)
        {
            BusyPercent = 100.0 * (total - idle - start.Busy) / Math.Max(1, total - start.Total);
        }
        else
        {
            _cpuStart = (total - idle, total);
        }
    }

    public static string Cpu() =>
        Read("/proc/cpuinfo").Split('\n').FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown";

    public static string Memory()
    {
        var line = Read("/proc/meminfo").Split('\n').FirstOrDefault(l => l.StartsWith("MemTotal", StringComparison.Ordinal)) ?? "";
        var kb = long.TryParse(new string(line.Where(char.IsDigit).ToArray()), out var v) ? v : 0;
        return $"{kb / 1024.0 / 1024.0:0.0} GiB";
    }

    private static string Read(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return "";
        }
    }
}

internal sealed class Report(Options options)
{
    private readonly List<(string Scenario, RunResult Run, string? Reference, double ReferenceRate, CpuMeter.Usage? Usage)> _rows = [];
    private readonly DateTime _started = DateTime.UtcNow;

    public Machine Machine { get; } = new();
    public HotKeySummary? HotKey { get; set; }

    /// <summary>CPU use of the step that just ran; the next row added takes it.</summary>
    public CpuMeter.Usage? PendingUsage { get; set; }

    public void Add(string suffix, string scenario, RunResult run, string? reference, double referenceRate) =>
        Add(scenario + suffix, run, reference, referenceRate);

    /// <summary>False during the warm-up: rows are not kept.</summary>
    public bool Recording { get; set; } = true;

    public void Add(string scenario, RunResult run, string? reference, double referenceRate)
    {
        if (!Recording)
        {
            PendingUsage = null;
            return;
        }
        _rows.Add((scenario, run, reference, referenceRate, PendingUsage));
        PendingUsage = null;
    }

    public string Render()
    {
        var s = new StringBuilder();
        s.AppendLine(CultureInfo.InvariantCulture, $"## Benchmark {_started:yyyy-MM-dd HH:mm} UTC");
        s.AppendLine();
        s.Append(CultureInfo.InvariantCulture,
            $"`{options.Command}`: {options.Silos} silo(s) and the API on loopback; each scenario warms up {options.WarmUpSeconds:0.#} s, then measures {options.MeasureSeconds:0.#} s. ");
        s.AppendLine("closed = N clients back to back (maximum throughput); rate = open loop at a fixed arrival rate, latency from the scheduled start. " +
                     "A = pgbench, B = GET /ping, C = optimistic locking with Npgsql, D = the seeds' design over HTTP (bench/Actors.BenchReference); " +
                     "[preloaded] = the same scenario once the tenant holds the --preload candidates and finished jobs; ratio = req/s ÷ reference (rate rows: achieved ÷ offered).");
        s.AppendLine();
        s.AppendLine("| scenario | mode | req/s | p50 ms | p95 ms | p99 ms | errors | reference | ratio |");
        s.AppendLine("|---|---|---:|---:|---:|---:|---:|---|---:|");
        foreach (var (scenario, run, reference, referenceRate, _) in _rows)
        {
            var refText = reference switch
            {
                null => "(reference)",
                "offered" => $"offered {referenceRate:0}/s",
                _ => $"{reference} {referenceRate:0}/s",
            };
            var ratio = reference is null || referenceRate <= 0 ? "" : $"{run.PerSecond / referenceRate:0.00}";
            var errors = run.Failed == 0 ? "0"
                : $"{run.Failed} ({string.Join(", ", new[] { ("409/412", run.Conflicts), ("other", run.Errors), ("not sent", run.NotSent) }.Where(e => e.Item2 > 0).Select(e => $"{e.Item1} {e.Item2}"))})";
            var exhausted = run.PoolExhausted ? $" (pool ran out after {run.Seconds:0.0} s)" : "";
            s.AppendLine(CultureInfo.InvariantCulture,
                $"| {scenario} | {run.Mode}{exhausted} | {run.PerSecond:0} | {Ms(run.Percentile(50))} | {Ms(run.Percentile(95))} | {Ms(run.Percentile(99))} | {errors} | {refText} | {ratio} |");
        }
        s.AppendLine();

        if (HotKey is { } hot)
        {
            var c = hot.Baseline;
            s.AppendLine(CultureInfo.InvariantCulture, $"### Hot key: {options.HotClients} clients changing one candidate");
            s.AppendLine();
            s.AppendLine("| path | useful updates/s | conflicts | retries | attempts | wasted work (failed ÷ all attempts) |");
            s.AppendLine("|---|---:|---:|---:|---:|---:|");
            s.AppendLine(CultureInfo.InvariantCulture,
                $"| grain (PATCH /candidates/{{id}}, no If-Match) | {hot.Grain.PerSecond:0} | {hot.Grain.Conflicts} | 0 | {hot.Grain.Ok + hot.Grain.Failed} | {(hot.Grain.Failed == 0 ? 0 : (double)hot.Grain.Failed / (hot.Grain.Ok + hot.Grain.Failed)):0.0%} |");
            s.AppendLine(CultureInfo.InvariantCulture,
                $"| reference C (read version, UPDATE … WHERE version, retry) | {c.Run.PerSecond:0} | {c.ConflictCount} | {c.Retries} | {c.Attempts} | {c.Wasted:0.0%} |");
            s.AppendLine();
            s.AppendLine(CultureInfo.InvariantCulture,
                $"After the grain run the candidate holds {hot.HistoryEntries} history entries and its stored state is {hot.StateBytes / 1024.0:0} KiB (history is appended to candidate_history, not kept in the state). " +
                $"Grain-path updates in each second of the window: {string.Join(", ", hot.Grain.OkPerSecond)}; reference C: {string.Join(", ", c.Run.OkPerSecond)}.");
            s.AppendLine();
        }

        s.AppendLine(CultureInfo.InvariantCulture, $"### Where the CPU went: cores busy during each measured window (the machine has {Environment.ProcessorCount})");
        s.AppendLine();
        s.AppendLine("| scenario | mode | API | silo | PostgreSQL | load generator | rest of machine | stack CPU ms per request |");
        s.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|");
        foreach (var (scenario, run, _, _, usage) in _rows)
        {
            if (usage is null)
            {
                continue;
            }
            var stack = usage.Cores.Take(3).Sum();
            s.AppendLine(CultureInfo.InvariantCulture,
                $"| {scenario} | {run.Mode} | {string.Join(" | ", usage.Cores.Select(c => c.ToString("0.00", CultureInfo.InvariantCulture)))} | {(run.PerSecond > 0 ? stack * 1000 / run.PerSecond : double.NaN):0.00} |");
        }
        s.AppendLine();
        s.AppendLine("\"load generator\" is this program (and pgbench for A); \"rest of machine\" is everything else running on the box during the window (other users' builds and tests on a shared machine).");
        s.AppendLine();

        s.AppendLine("### Targets");
        s.AppendLine();
        var a = Find("A:"); var b = Find("B:"); var write = Find("POST /candidates/{id}/approve"); var read = Find("GET /candidates/{id}");
        Target(s, "single-entity reads ≥ 50% of B", read, b, 0.50);
        if (HotKey is { } h)
        {
            var met = h.Grain.Conflicts == 0 && h.Grain.PerSecond > h.Baseline.Run.PerSecond;
            s.AppendLine(CultureInfo.InvariantCulture,
                $"- hot key: zero conflicts on the grain path and more useful updates/s than C: {h.Grain.Conflicts} conflicts, {h.Grain.PerSecond:0}/s vs {h.Baseline.Run.PerSecond:0}/s: **{(met ? "met" : "not met")}**");
        }
        foreach (var (scenario, limit) in new[]
                 {
                     ("POST /candidates/{id}/approve or /reject (durable)", 0.45), ("POST /candidates (create, durable)", 0.5),
                     ("POST /jobs (submit, durable)", 0.5), ("GET /candidates?status=… (table, 20 rows)", 0.35), ("GET /candidates/{id} (grain in memory)", 0.2),
                 })
        {
            if (CpuPerRequest(scenario) is { } ms)
            {
                s.AppendLine(CultureInfo.InvariantCulture, $"- stack CPU per request, {scenario} ≤ {limit:0.00} ms: {ms:0.00} ms: **{(ms <= limit ? "met" : "not met")}**");
            }
        }
        if (a is not null && b is not null && write is not null)
        {
            var l = 1 / (1 / a.PerSecond + 1 / b.PerSecond);
            s.AppendLine(CultureInfo.InvariantCulture,
                $"- approve/reject ≥ 50% of L = 1/(1/A + 1/B) = {l:0}/s: {write.PerSecond / l:0%} ({write.PerSecond:0}/s): **{(write.PerSecond >= 0.5 * l ? "met" : "not met")}**");
        }
        if (Find("D: approve") is { } dUniform && write is not null)
        {
            var ratio = write.PerSecond / dUniform.PerSecond;
            s.AppendLine(CultureInfo.InvariantCulture,
                $"- against D, uniform keys (approve/reject vs D's approve) ≥ 1.0x: {ratio:0.00}x ({write.PerSecond:0}/s vs {dUniform.PerSecond:0}/s): **{(ratio >= 1.0 ? "met" : "not met")}**");
        }
        if (Find("D: PATCH") is { } dHot && Find("PATCH one candidate, grain path (hot key, after D)") is { } grainHot)
        {
            var ratio = grainHot.PerSecond / dHot.PerSecond;
            s.AppendLine(CultureInfo.InvariantCulture,
                $"- against D, hot key ≥ 3x: {ratio:0.00}x ({grainHot.PerSecond:0}/s vs {dHot.PerSecond:0}/s): **{(ratio >= 3.0 ? "met" : "not met")}**");
        }
        foreach (var row in _rows.Where(r => r.Scenario.EndsWith(" [preloaded]", StringComparison.Ordinal)))
        {
            var empty = _rows.FirstOrDefault(r => r.Scenario == row.Scenario[..^" [preloaded]".Length] && r.Run.Mode == row.Run.Mode);
            if (empty.Run is null)
            {
                continue;
            }
            var p50 = row.Run.Percentile(50) / empty.Run.Percentile(50);
            var cpuEmpty = Cpu(empty.Run, empty.Usage);
            var cpuFull = Cpu(row.Run, row.Usage);
            var cpuRatio = cpuEmpty is > 0 && cpuFull is { } full ? full / cpuEmpty.Value : double.NaN;
            var met = p50 <= 1.25 && (double.IsNaN(cpuRatio) || cpuRatio <= 1.25);
            s.AppendLine(CultureInfo.InvariantCulture,
                $"- preloaded within 1.25x of empty, {row.Scenario[..^" [preloaded]".Length]} ({row.Run.Mode}): p50 {p50:0.00}x, CPU/request {cpuRatio:0.00}x: **{(met ? "met" : "not met")}**");
        }
        s.AppendLine();

        s.AppendLine("### Machine");
        s.AppendLine();
        s.AppendLine(CultureInfo.InvariantCulture, $"- CPU: {Environment.ProcessorCount} × {Machine.Cpu()}; memory {Machine.Memory()}");
        s.AppendLine(CultureInfo.InvariantCulture, $"- OS: {RuntimeInformation.OSDescription}; .NET SDK {options.Sdk}, runtime {RuntimeInformation.FrameworkDescription}");
        s.AppendLine(CultureInfo.InvariantCulture, $"- PostgreSQL {Machine.PostgresVersion} (throwaway cluster, fsync and synchronous_commit on)");
        s.AppendLine(CultureInfo.InvariantCulture, $"- commit {options.Commit}; silos {options.Silos}; load generator, API, silo(s) and PostgreSQL share the machine");
        s.AppendLine(CultureInfo.InvariantCulture,
            $"- load average {string.Join("; ", Machine.Load)}; whole-machine CPU busy during the run {(Machine.BusyPercent is { } busy ? $"{busy:0}%" : "n/a")} (other users' work included)");
        return s.ToString();
    }

    private static double? Cpu(RunResult run, CpuMeter.Usage? usage) =>
        usage is null || run.PerSecond <= 0 ? null : usage.Cores.Take(3).Sum() * 1000 / run.PerSecond;

    /// <summary>Stack CPU ms per request of a scenario's first (closed-loop) row.</summary>
    private double? CpuPerRequest(string scenario)
    {
        var row = _rows.FirstOrDefault(r => r.Scenario == scenario);
        return row.Run is null ? null : Cpu(row.Run, row.Usage);
    }

    private RunResult? Find(string prefix) => _rows.FirstOrDefault(r => r.Scenario.StartsWith(prefix, StringComparison.Ordinal)).Run;

    private static void Target(StringBuilder s, string name, RunResult? run, RunResult? reference, double target)
    {
        if (run is null || reference is null || reference.PerSecond <= 0)
        {
            return;
        }
        var ratio = run.PerSecond / reference.PerSecond;
        s.AppendLine(CultureInfo.InvariantCulture, $"- {name}: {ratio:0%} ({run.PerSecond:0}/s vs {reference.PerSecond:0}/s): **{(ratio >= target ? "met" : "not met")}**");
    }

    private static string Ms(double value) => double.IsNaN(value) ? "–" : value < 10 ? $"{value:0.00}" : $"{value:0.0}";
}
