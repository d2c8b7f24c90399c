using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Actors.Bench;

internal sealed record HotKeySummary(RunResult Grain, OptimisticBaseline.HotKeyResult Baseline, int HistoryEntries, long StateBytes);

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
