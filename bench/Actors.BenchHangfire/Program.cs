// Reference H of scenario J (scripts/bench-job-references.sh): Hangfire 1.8.25 on Hangfire.PostgreSql
// 1.21.1, in-process BackgroundJobServer, no-op jobs. Phases: burn-down (N jobs enqueued by many client
// threads while the server drains them), latency (single enqueues 50 ms apart on the idle engine) and
// fairness (a 40,000-job flood with 100 marked jobs submitted one by one while it drains).
// Writes one JSON object to --out; exits non-zero with a message on failure.
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Hangfire;
using Hangfire.Logging;
using Hangfire.PostgreSql;
using Npgsql;

namespace Actors.BenchHangfire;

public static class Program
{
    public static int Main(string[] argv)
    {
        Options o;
        try { o = Options.Parse(argv); }
        catch (Exception e)
        {
            Console.Error.WriteLine($"bench-hangfire: {e.Message}");
            Console.Error.WriteLine(Options.Usage);
            return 2;
        }
        // The whole runner is time-boxed: nothing below may hang it forever.
        var watchdog = new Timer(_ =>
        {
            Console.Error.WriteLine($"bench-hangfire: FAILED: the runner exceeded --max-seconds {o.MaxSeconds}; aborting");
            Environment.Exit(3);
        }, null, TimeSpan.FromSeconds(o.MaxSeconds), Timeout.InfiniteTimeSpan);
        try
        {
            var result = new Runner(o).Run();
            File.WriteAllText(o.Out, result.ToJsonString(new JsonSerializerOptions { WriteIndented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n");
            Console.Error.WriteLine($"bench-hangfire: wrote {o.Out}");
            return 0;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"bench-hangfire: FAILED: {e}");
            return 1;
        }
        finally
        {
            watchdog.Dispose();
        }
    }
}

/// <summary>The job body. Static in-memory recorders; the enqueuing client is in the same process.</summary>
public static class Jobs
{
    public static int Burn, Warm, X, Y, Lat;
    public static long[] LatStart = [], YStart = [];

    // kind: "w" warm-up, "b" burn-down, "l" latency probe i, "x" flood, "y" the fair tenant's job i.
    public static void Run(string kind, int i)
    {
        long now = Stopwatch.GetTimestamp();
        switch (kind)
        {
            case "b": Interlocked.Increment(ref Burn); break;
            case "w": Interlocked.Increment(ref Warm); break;
            case "x": Interlocked.Increment(ref X); break;
            case "l": LatStart[i] = now; Interlocked.Increment(ref Lat); break;
            case "y": YStart[i] = now; Interlocked.Increment(ref Y); break;
        }
    }
}

internal sealed class Options
{
    public const string Usage =
        "usage: Actors.BenchHangfire --pg <npgsql connection string> --postmaster-pid <pid> --out <file.json>\n" +
        "       [--n 20000] [--flood 40000] [--fair 100] [--latency 200] [--workers 32] [--clients 16]\n" +
        "       [--poll-ms 50] [--no-reset-on-close 1] [--auto-prepare 100] [--budget-s 300] [--flood-budget-s 600]\n" +
        "       [--max-seconds 1500] [--phases burndown,latency,fairness]";
    public string Pg = "";
    public int PostmasterPid;
    public string Out = "";
    // Defaults chosen by trials on the 2-core machine (see the settings string).
    public int N = 20000, Flood = 40000, Fair = 100, Latency = 200, Workers = 32, Clients = 16, PollMs = 50;
    public int BudgetS = 300, FloodBudgetS = 600, MaxSeconds = 1500, Warmup = 500, NoResetOnClose = 1, AutoPrepare = 100;
    public HashSet<string> Phases = ["burndown", "latency", "fairness"];

    public static Options Parse(string[] a)
    {
        var o = new Options();
        for (int i = 0; i < a.Length; i++)
        {
            string k = a[i];
            string V() => i + 1 < a.Length ? a[++i] : throw new ArgumentException($"{k} needs a value");
            int I() { string v = V(); return int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int r) && r >= 0 ? r : throw new ArgumentException($"{k}: not a count: {v}"); }
            switch (k)
            {
                case "--pg": o.Pg = V(); break;
                case "--postmaster-pid": o.PostmasterPid = I(); break;
                case "--out": o.Out = V(); break;
                case "--n": o.N = I(); break;
                case "--flood": o.Flood = I(); break;
                case "--fair": o.Fair = I(); break;
                case "--latency": o.Latency = I(); break;
                case "--workers": o.Workers = I(); break;
                case "--clients": o.Clients = I(); break;
                case "--poll-ms": o.PollMs = I(); break;
                case "--budget-s": o.BudgetS = I(); break;
                case "--flood-budget-s": o.FloodBudgetS = I(); break;
                case "--max-seconds": o.MaxSeconds = I(); break;
                case "--warmup": o.Warmup = I(); break;
                case "--no-reset-on-close": o.NoResetOnClose = I(); break;
                case "--auto-prepare": o.AutoPrepare = I(); break;
                case "--phases": o.Phases = [.. V().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)]; break;
                default: throw new ArgumentException($"unknown argument {k}");
            }
        }
        if (o.Pg == "") throw new ArgumentException("--pg is required");
        if (o.Out == "") throw new ArgumentException("--out is required");
        if (o.PostmasterPid <= 0) throw new ArgumentException("--postmaster-pid is required");
        if (!File.Exists($"/proc/{o.PostmasterPid}/stat")) throw new ArgumentException($"--postmaster-pid {o.PostmasterPid}: no such process");
        if (o.N < 1 || o.Workers < 1 || o.Clients < 1) throw new ArgumentException("--n, --workers and --clients must be positive");
        if (o.PollMs < 50) throw new ArgumentException("--poll-ms below 50 needs AllowUnsafeValues; not offered");
        return o;
    }
}

internal sealed class Runner(Options o)
{
    private readonly string _cs = Tuned(o.Pg, o.Workers + o.Clients + 24, o.NoResetOnClose != 0, o.AutoPrepare);
    private readonly string _db = new NpgsqlConnectionStringBuilder(o.Pg).Database ?? throw new ArgumentException("--pg names no Database");
    private PostgreSqlStorage _storage = null!;
    private BackgroundJobServer? _server;
    private BackgroundJobClient _client = null!;
    private long _expectedSucceeded;
    private readonly List<string> _notes = [];
    private PostgreSqlStorageOptions _storageOptions = null!;
    private BackgroundJobServerOptions _serverOptions = null!;

    // Npgsql settings: a pool large enough for every worker and client thread; by default no session
    // reset when a connection goes back to the pool (Hangfire.PostgreSql opens and closes a pooled
    // connection for nearly every statement, and each reset is one more round trip and transaction) and
    // automatic preparation of its repeated statements.
    private static string Tuned(string cs, int minPool, bool noReset, int autoPrepare)
    {
        var b = new NpgsqlConnectionStringBuilder(cs);
        if (b.MaxPoolSize < minPool) b.MaxPoolSize = minPool;
        b.NoResetOnClose = noReset;
        if (autoPrepare > 0) { b.MaxAutoPrepare = autoPrepare; b.AutoPrepareMinUsages = 2; }
        return b.ConnectionString;
    }

    private static void Log(string m) => Console.Error.WriteLine($"bench-hangfire: {m}");

    public System.Text.Json.Nodes.JsonObject Run()
    {
        _storageOptions = new PostgreSqlStorageOptions
        {
            PrepareSchemaIfNecessary = true,
            QueuePollInterval = TimeSpan.FromMilliseconds(o.PollMs),
            // No-op jobs finish in microseconds: neither the sliding heartbeat (extra UPDATEs per
            // running job) nor a short invisibility timeout buys anything; defaults kept.
            UseSlidingInvisibilityTimeout = false,
            InvisibilityTimeout = TimeSpan.FromMinutes(30),
            DistributedLockTimeout = TimeSpan.FromMinutes(1),
            EnableLongPolling = false,
            StartupConnectionMaxRetries = 0,
        };
        GlobalConfiguration.Configuration
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UseLogProvider(new StderrLogProvider())
            .UsePostgreSqlStorage(c => c.UseNpgsqlConnection(_cs), _storageOptions);
        _storage = (PostgreSqlStorage)JobStorage.Current;
        _client = new BackgroundJobClient(_storage);
        _serverOptions = new BackgroundJobServerOptions
        {
            WorkerCount = o.Workers,
            Queues = ["default"],
            ServerName = "bench-h",
            ShutdownTimeout = TimeSpan.FromSeconds(30),
        };
        string settings = $"WorkerCount={o.Workers}, enqueue client threads={o.Clients}, " +
            $"QueuePollInterval={o.PollMs}ms (in-process enqueues also wake a waiting worker at once), " +
            "UseSlidingInvisibilityTimeout=false, InvisibilityTimeout=30min, DistributedLockTimeout=1min, " +
            "EnableLongPolling=false, UseNativeDatabaseTransactions=true, PrepareSchemaIfNecessary=true, " +
            "CompatibilityLevel=Version_180 + recommended serializer settings, default filters, queue=default, " +
            $"Npgsql 8.0.3 with Maximum Pool Size={new NpgsqlConnectionStringBuilder(_cs).MaxPoolSize}, " +
            $"No Reset On Close={(o.NoResetOnClose != 0 ? "true" : "false")}, " +
            (o.AutoPrepare > 0 ? $"Max Auto Prepare={o.AutoPrepare}, Auto Prepare Min Usages=2" : "no auto-prepare") +
            ". Chosen from burn-down trials of 3,000-5,000 jobs: WorkerCount 16/32/64 x client threads 8/16/32/64, " +
            "QueuePollInterval 50/1000/15000 ms, No Reset On Close on/off, auto-prepare on/off: the run is CPU-bound on " +
            "2 cores, so fewer threads cost less per job (32 workers/16 clients 230-300 jobs/s, 64/32 150-240); the poll " +
            "interval made no measurable difference (in-process wake-ups), 50 ms is the library's minimum; the pool " +
            "reset cost about 8 commits per job (25 -> 17) and 20-30 % of the CPU.";

        StartServer();
        // Warm-up (JIT, pools, plans): not measured.
        if (o.Warmup > 0)
        {
            Log($"warm-up: {o.Warmup} jobs");
            SubmitMany("w", o.Warmup, o.Clients, null, 120);
            WaitCounter(() => Volatile.Read(ref Jobs.Warm), o.Warmup, TimeSpan.FromSeconds(120), "warm-up");
            _expectedSucceeded += o.Warmup;
            WaitSucceeded(TimeSpan.FromSeconds(60), null);
            // A fresh server and pool for the measurement, as for reference G: no statement prepared
            // (auto-prepare) against the warm-up's near-empty tables survives into the burn-down.
            StopServer();
            StartServer();
        }

        var root = new System.Text.Json.Nodes.JsonObject
        {
            ["engine"] = "H",
            ["name"] = "Hangfire 1.8.25 + Hangfire.PostgreSql 1.21.1",
            ["settings"] = settings,
        };

        if (o.Phases.Contains("burndown")) BurnDown(root);
        if (o.Phases.Contains("latency")) Latency(root);
        if (o.Phases.Contains("fairness")) Fairness(root);
        StopServer();
        root["notes"] = string.Join(" ", _notes);
        return root;
    }

    private void StartServer()
    {
        _server = new BackgroundJobServer(_serverOptions, _storage);
        Thread.Sleep(1500); // let the workers reach their first wait
    }

    private void StopServer()
    {
        if (_server == null) return;
        _server.SendStop();
        _server.Dispose();
        _server = null;
        NpgsqlConnection.ClearAllPools(); // idle backends exit and flush their pending statistics
    }

    /// <summary>Enqueues count jobs of kind from threads; returns (first submit, last submit done) timestamps.</summary>
    /// <summary>Enqueues count jobs of kind from threads, stopping early once budgetSeconds have passed;
    /// returns the first submit's and the last submit's timestamps and how many were enqueued.</summary>
    private (long first, long done, int submitted) SubmitMany(string kind, int count, int threads, Action<int>? onProgress, double budgetSeconds)
    {
        long deadline = 0;
        int next = -1, doneCount = 0;
        long first = 0;
        Exception? failure = null;
        var start = new ManualResetEventSlim(false);
        var ts = Enumerable.Range(0, Math.Min(threads, count)).Select(_ => new Thread(() =>
        {
            start.Wait();
            try
            {
                int i;
                while (failure == null && Stopwatch.GetTimestamp() < deadline && (i = Interlocked.Increment(ref next)) < count)
                {
                    int arg = i;
                    _client.Enqueue(() => Jobs.Run(kind, arg));
                    int d = Interlocked.Increment(ref doneCount);
                    onProgress?.Invoke(d);
                }
            }
            catch (Exception e) { failure ??= e; }
        }) { IsBackground = true }).ToList();
        ts.ForEach(t => t.Start());
        first = Stopwatch.GetTimestamp();
        deadline = first + (long)(budgetSeconds * Stopwatch.Frequency);
        start.Set();
        ts.ForEach(t => t.Join());
        if (failure != null) throw new InvalidOperationException($"enqueue of '{kind}' jobs failed", failure);
        return (first, Stopwatch.GetTimestamp(), Volatile.Read(ref doneCount));
    }

    private static bool WaitCounter(Func<int> value, int target, TimeSpan budget, string what, bool throwOnTimeout = true)
    {
        var sw = Stopwatch.StartNew();
        while (value() < target)
        {
            if (sw.Elapsed > budget)
            {
                if (throwOnTimeout) throw new TimeoutException($"{what}: {value()} of {target} jobs ran within {budget.TotalSeconds:0} s");
                return false;
            }
            Thread.Sleep(5);
        }
        return true;
    }

    private int _monitorXacts;

    /// <summary>Polls the job table until every job submitted so far is Succeeded; returns the epoch
    /// seconds of the latest Succeeded state row, or null if the budget ran out.</summary>
    private double? WaitSucceeded(TimeSpan budget, NpgsqlConnection? monitor)
    {
        bool own = monitor == null;
        monitor ??= Open(_cs);
        try
        {
            var sw = Stopwatch.StartNew();
            while (true)
            {
                long n = Scalar<long>(monitor, "SELECT count(*) FROM hangfire.job WHERE statename = 'Succeeded'");
                if (n >= _expectedSucceeded) break;
                if (sw.Elapsed > budget) return null;
                Thread.Sleep(20);
            }
            return Scalar<double>(monitor, "SELECT extract(epoch FROM max(createdat))::float8 FROM hangfire.state WHERE name = 'Succeeded'");
        }
        finally
        {
            if (own) monitor.Dispose();
        }
    }

    private T Scalar<T>(NpgsqlConnection c, string sql)
    {
        using var cmd = new NpgsqlCommand(sql, c);
        _monitorXacts++;
        return (T)Convert.ChangeType(cmd.ExecuteScalar()!, typeof(T), CultureInfo.InvariantCulture);
    }

    private static NpgsqlConnection Open(string cs)
    {
        var c = new NpgsqlConnection(cs);
        c.Open();
        return c;
    }

    private (long commit, long rollback) DbStats()
    {
        var b = new NpgsqlConnectionStringBuilder(_cs) { Database = "postgres", Pooling = false };
        using var c = Open(b.ConnectionString);
        using var cmd = new NpgsqlCommand(
            "SELECT pg_stat_clear_snapshot(); SELECT xact_commit, xact_rollback FROM pg_stat_database WHERE datname = @d", c);
        cmd.Parameters.AddWithValue("d", _db);
        using var r = cmd.ExecuteReader();
        r.NextResult();
        if (!r.Read()) throw new InvalidOperationException($"pg_stat_database has no row for {_db}");
        return (r.GetInt64(0), r.GetInt64(1));
    }

    private static double Seconds(long from, long to) => (to - from) / (double)Stopwatch.Frequency;
    private static double EpochNow() => (DateTime.UtcNow - DateTime.UnixEpoch).TotalSeconds;

    private void BurnDown(System.Text.Json.Nodes.JsonObject root)
    {
        int n = o.N;
        Log($"burn-down: {n} jobs, {o.Clients} enqueue threads, {o.Workers} workers");
        var s0 = DbStats();
        var cpu0 = Cpu.Sample(o.PostmasterPid);
        _monitorXacts = 0;
        double epoch0 = EpochNow();
        Interlocked.Exchange(ref Jobs.Burn, 0);
        var (first, submitted, count) = SubmitMany("b", n, o.Clients, null, o.BudgetS);
        double submitSeconds = Seconds(first, submitted);
        _expectedSucceeded += count;
        Log($"burn-down: submitted in {submitSeconds:0.0} s; draining");
        var budget = TimeSpan.FromSeconds(o.BudgetS) - TimeSpan.FromSeconds(Seconds(first, Stopwatch.GetTimestamp()));
        if (budget < TimeSpan.Zero) budget = TimeSpan.Zero;
        bool drained = count == n && WaitCounter(() => Volatile.Read(ref Jobs.Burn), n, budget, "burn-down", throwOnTimeout: false);
        using var monitor = Open(_cs);
        _monitorXacts = 0;
        double? lastEpoch = drained ? WaitSucceeded(TimeSpan.FromSeconds(30), monitor) : null;
        var cpu1 = Cpu.Sample(o.PostmasterPid);
        int completed = n;
        double seconds;
        if (lastEpoch is double le)
        {
            seconds = le - epoch0;
        }
        else
        {
            // Budget ran out: report the jobs that had succeeded by now, honestly smaller than N.
            long ok = Scalar<long>(monitor, "SELECT count(*) FROM hangfire.job WHERE statename = 'Succeeded'");
            completed = (int)(ok - (_expectedSucceeded - count));
            _expectedSucceeded = ok;
            seconds = EpochNow() - epoch0;
            _notes.Add($"Burn-down exceeded its {o.BudgetS} s budget: {completed} of {n} jobs completed ({count} enqueued; the rest were deleted from the queue; per-job costs include the enqueues of the jobs that did not run).");
            Scalar<long>(monitor, "WITH d AS (DELETE FROM hangfire.jobqueue WHERE fetchedat IS NULL RETURNING 1) SELECT count(*) FROM d");
            Log($"burn-down: budget exceeded, {completed} of {n} done");
        }
        if (completed <= 0) throw new TimeoutException($"burn-down: no job completed within the {o.BudgetS} s budget");
        int monitorXacts = _monitorXacts;
        monitor.Close();
        // Stop the engine so every backend exits and flushes its statistics, then read them.
        StopServer();
        Thread.Sleep(1500);
        var s1 = DbStats();
        double commits = (s1.commit - s0.commit - monitorXacts) / (double)completed;
        double rollbacks = (s1.rollback - s0.rollback) / (double)completed;
        double k = completed / 1000.0;
        double eng = (cpu1.Self - cpu0.Self) / k, pg = (cpu1.Postgres - cpu0.Postgres) / k;
        root["n"] = completed;
        root["burndown"] = new System.Text.Json.Nodes.JsonObject
        {
            ["jobs_per_s"] = R(completed / seconds, 1),
            ["seconds"] = R(seconds, 2),
            ["submit_seconds"] = R(submitSeconds, 2),
            ["drained"] = lastEpoch != null,
            // CPU seconds that other processes on the machine used during the window (noise check).
            ["other_cpu_s"] = R(Math.Max(0, (cpu1.Machine - cpu0.Machine) - (cpu1.Self - cpu0.Self) - (cpu1.Postgres - cpu0.Postgres)), 1),
        };
        root["commits_per_job"] = R(commits, 2);
        root["rollbacks_per_job"] = R(rollbacks, 3);
        root["cpu_s_per_1000"] = new System.Text.Json.Nodes.JsonObject
        {
            ["engine"] = R(eng, 3),
            ["postgres"] = R(pg, 3),
            ["total"] = R(eng + pg, 3),
        };
        _notes.Add($"The server and the connection pool were restarted after the {o.Warmup}-job warm-up and after the burn-down " +
            "(statistics flush), so that no statement prepared against a near-empty table survives into a measurement.");
        _notes.Add($"Burn-down end = latest Succeeded row of hangfire.state (createdat, written from this process's clock); " +
            $"{monitorXacts} monitoring transactions subtracted from the commit delta; the server was stopped after the drain so that all " +
            "backends flush their statistics, read 1.5 s later from the postgres database.");
        Log($"burn-down: {completed / seconds:0.0} jobs/s over {seconds:0.00} s; {commits:0.00} commits/job");
        StartServer();
    }

    private void Latency(System.Text.Json.Nodes.JsonObject root)
    {
        int n = o.Latency;
        if (n == 0) return;
        Log($"latency: {n} single enqueues 50 ms apart");
        Thread.Sleep(2000);
        Jobs.LatStart = new long[n];
        var submit = new long[n];
        Interlocked.Exchange(ref Jobs.Lat, 0);
        long t0 = Stopwatch.GetTimestamp();
        for (int i = 0; i < n; i++)
        {
            SleepUntil(t0, i * 50.0);
            int arg = i;
            submit[i] = Stopwatch.GetTimestamp();
            _client.Enqueue(() => Jobs.Run("l", arg));
        }
        WaitCounter(() => Volatile.Read(ref Jobs.Lat), n, TimeSpan.FromSeconds(120), "latency");
        _expectedSucceeded += n;
        WaitSucceeded(TimeSpan.FromSeconds(60), null);
        var ms = Enumerable.Range(0, n).Select(i => Seconds(submit[i], Jobs.LatStart[i]) * 1000).ToArray();
        root["latency_ms"] = new System.Text.Json.Nodes.JsonObject
        {
            ["n"] = n,
            ["p50"] = R(Pct(ms, 50), 2),
            ["p95"] = R(Pct(ms, 95), 2),
            ["p99"] = R(Pct(ms, 99), 2),
        };
        Log($"latency: p50 {Pct(ms, 50):0.0} ms, p99 {Pct(ms, 99):0.0} ms");
    }

    private void Fairness(System.Text.Json.Nodes.JsonObject root)
    {
        int nx = o.Flood, ny = o.Fair;
        Log($"fairness: flood of {nx} jobs; {ny} marked jobs one by one 20 ms apart once 1,000 of the flood are in");
        Thread.Sleep(1000);
        Jobs.YStart = new long[ny];
        var ysubmit = new long[ny];
        Interlocked.Exchange(ref Jobs.X, 0);
        Interlocked.Exchange(ref Jobs.Y, 0);
        var yGo = new ManualResetEventSlim(false);
        Exception? yFailure = null;
        var yThread = new Thread(() =>
        {
            try
            {
                yGo.Wait();
                long t0 = Stopwatch.GetTimestamp();
                for (int i = 0; i < ny; i++)
                {
                    SleepUntil(t0, i * 20.0);
                    int arg = i;
                    ysubmit[i] = Stopwatch.GetTimestamp();
                    _client.Enqueue(() => Jobs.Run("y", arg));
                }
            }
            catch (Exception e) { yFailure = e; }
        }) { IsBackground = true };
        yThread.Start();
        double epoch0 = EpochNow();
        int trigger = Math.Min(1000, nx);
        var (first, submitted, countX) = SubmitMany("x", nx, o.Clients, d => { if (d >= trigger) yGo.Set(); }, o.FloodBudgetS);
        yGo.Set();
        yThread.Join();
        if (yFailure != null) throw new InvalidOperationException("the marked jobs' enqueue failed", yFailure);
        double submitSeconds = Seconds(first, submitted);
        _expectedSucceeded += countX + ny;
        var budget = TimeSpan.FromSeconds(o.FloodBudgetS) - TimeSpan.FromSeconds(Seconds(first, Stopwatch.GetTimestamp()));
        if (budget < TimeSpan.Zero) budget = TimeSpan.Zero;
        bool drained = countX == nx && WaitCounter(() => Volatile.Read(ref Jobs.X), nx, budget, "fairness flood", throwOnTimeout: false)
            && WaitCounter(() => Volatile.Read(ref Jobs.Y), ny, TimeSpan.FromSeconds(30), "fairness marked jobs", throwOnTimeout: false);
        double? lastEpoch = drained ? WaitSucceeded(TimeSpan.FromSeconds(30), null) : null;
        var fair = new System.Text.Json.Nodes.JsonObject { ["x_jobs"] = nx, ["y_jobs"] = ny };
        var started = Enumerable.Range(0, ny).Where(i => Jobs.YStart[i] != 0).ToArray();
        var yms = started.Select(i => Seconds(ysubmit[i], Jobs.YStart[i]) * 1000).ToArray();
        fair["y_started"] = started.Length;
        fair["y_p50_ms"] = yms.Length > 0 ? R(Pct(yms, 50), 1) : null;
        fair["y_p99_ms"] = yms.Length > 0 ? R(Pct(yms, 99), 1) : null;
        fair["x_submit_seconds"] = R(submitSeconds, 2);
        if (lastEpoch is double le)
        {
            fair["x_drain_seconds"] = R(le - epoch0, 2);
        }
        else
        {
            fair["x_drain_seconds"] = null;
            fair["x_completed_in_budget"] = Jobs.X;
            _notes.Add($"Fairness flood exceeded its {o.FloodBudgetS} s budget: {Jobs.X} of {nx} flood jobs ran; the rest were deleted from the queue.");
            using var c = Open(_cs);
            Scalar<long>(c, "WITH d AS (DELETE FROM hangfire.jobqueue WHERE fetchedat IS NULL RETURNING 1) SELECT count(*) FROM d");
        }
        root["fairness"] = fair;
        _notes.Add("Fairness: one default queue, no priorities; x_drain_seconds runs from the flood's first enqueue to the latest Succeeded state row.");
        Log($"fairness: Y p50 {(yms.Length > 0 ? Pct(yms, 50) : double.NaN):0} ms, p99 {(yms.Length > 0 ? Pct(yms, 99) : double.NaN):0} ms; flood drained in {(lastEpoch ?? double.NaN) - epoch0:0.0} s");
    }

    private static void SleepUntil(long t0, double ms)
    {
        while (true)
        {
            double left = ms - Seconds(t0, Stopwatch.GetTimestamp()) * 1000;
            if (left <= 0) return;
            if (left > 2) Thread.Sleep((int)(left - 1)); else Thread.SpinWait(50);
        }
    }

    private static double Pct(double[] v, double p)
    {
        var s = v.OrderBy(x => x).ToArray();
        int idx = (int)Math.Ceiling(p / 100.0 * s.Length) - 1;
        return s[Math.Clamp(idx, 0, s.Length - 1)];
    }

    private static double R(double v, int digits) => Math.Round(v, digits, MidpointRounding.AwayFromZero);
}

/// <summary>CPU seconds from /proc (100 ticks per second).</summary>
internal readonly record struct Cpu(double Self, double Postgres, double Machine)
{
    private const double Hz = 100.0;

    // Busy CPU seconds of the whole machine (user+nice+system+irq+softirq+steal of /proc/stat).
    private static double MachineBusy()
    {
        var f = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        long t = 0;
        foreach (int i in new[] { 1, 2, 3, 6, 7, 8 }) t += long.Parse(f[i], CultureInfo.InvariantCulture);
        return t / Hz;
    }

    public static Cpu Sample(int postmaster)
    {
        var self = Fields(File.ReadAllText("/proc/self/stat"));
        double selfS = (long.Parse(self[11], CultureInfo.InvariantCulture) + long.Parse(self[12], CultureInfo.InvariantCulture)) / Hz;
        var pm = Fields(File.ReadAllText($"/proc/{postmaster}/stat"));
        long ticks = long.Parse(pm[11], CultureInfo.InvariantCulture) + long.Parse(pm[12], CultureInfo.InvariantCulture)
                     + long.Parse(pm[13], CultureInfo.InvariantCulture) + long.Parse(pm[14], CultureInfo.InvariantCulture);
        string ppid = postmaster.ToString(CultureInfo.InvariantCulture);
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            var name = Path.GetFileName(dir);
            if (name.Length == 0 || !char.IsAsciiDigit(name[0])) continue;
            string text;
            try { text = File.ReadAllText(Path.Combine(dir, "stat")); }
            catch (IOException) { continue; }
            catch (UnauthorizedAccessException) { continue; }
            var f = Fields(text);
            if (f.Length > 14 && f[1] == ppid)
                ticks += long.Parse(f[11], CultureInfo.InvariantCulture) + long.Parse(f[12], CultureInfo.InvariantCulture);
        }
        return new Cpu(selfS, ticks / Hz, MachineBusy());
    }

    // Fields after "(comm)": index 0 is field 3 (state), 1 is ppid, 11 utime, 12 stime, 13 cutime, 14 cstime.
    private static string[] Fields(string stat) =>
        stat[(stat.LastIndexOf(')') + 2)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
}

internal sealed class StderrLogProvider : ILogProvider
{
    public ILog GetLogger(string name) => new L(name);

    private sealed class L(string name) : ILog
    {
        public bool Log(LogLevel logLevel, Func<string>? messageFunc, Exception? exception = null)
        {
            if (logLevel < LogLevel.Warn) return false;
            if (messageFunc == null) return true;
            Console.Error.WriteLine($"hangfire {logLevel} {name}: {messageFunc()}{(exception != null ? " " + exception.Message : "")}");
            return true;
        }
    }
}
