using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Actors.Bench;

/// <summary>
/// Renders scenario J (<c>Actors.Bench jobs-report --dir D --out F …</c>) from the JSON each engine's
/// runner wrote into one folder: Actors.json, H.json (Hangfire), G.json (graphile-worker), with one met /
/// not met line per target of the job engine.
/// </summary>
public static class JobsReport
{
    private static readonly string[] Engines = ["Actors", "H", "G"];

    /// <summary>The <c>jobs-report</c> subcommand.</summary>
    public static Command Command()
    {
        var command = new Command("jobs-report", "Renders scenario J's table from the engines' JSON files (Actors.json, H.json, G.json) in one folder.");
        var dir = Cli.Required<string>("--dir", "The folder of the engines' JSON files");
        var output = Cli.Required<string>("--out", "The Markdown files written, comma-separated");
        var commit = Cli.Optional("--commit", "The commit measured, for the report", "");
        var run = Cli.Optional("--command", "The command that ran the bench, for the report", "./scripts/bench.sh jobs");
        foreach (var option in new Option[] { dir, output, commit, run })
        {
            command.Options.Add(option);
        }
        command.SetAction((result, _) => RunAsync(result.GetValue(dir)!, result.GetValue(output)!, result.GetValue(commit)!, result.GetValue(run)!));
        return command;
    }

    private static async Task<int> RunAsync(string dir, string output, string commit, string command)
    {
        var runs = new Dictionary<string, JsonElement>();
        foreach (var engine in Engines)
        {
            var path = Path.Combine(dir, engine + ".json");
            if (File.Exists(path))
            {
                runs[engine] = JsonDocument.Parse(await File.ReadAllTextAsync(path)).RootElement.Clone();
            }
        }
        var markdown = Render(runs, commit, command);
        Console.WriteLine(markdown);
        foreach (var file in output.Split(','))
        {
            await File.WriteAllTextAsync(file, markdown);
        }
        return 0;
    }

    public static string Render(IReadOnlyDictionary<string, JsonElement> runs, string commit, string command)
    {
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"# Scenario J: the job engine beside Hangfire and graphile-worker");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"`{command}` at {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, commit {commit}. No-op jobs; every engine on a fresh database");
        md.AppendLine("of the same PostgreSQL server (fsync and synchronous_commit on), run one after another on a quiet stack.");
        md.AppendLine("Burn-down: N jobs submitted in bulk and drained with 64 at a time, jobs/s from the first submit to the last");
        md.AppendLine("completion read from the database. Commits: `xact_commit + xact_rollback` of the engine's database over the");
        md.AppendLine("burn-down, per job. CPU: the engine's processes (Actors: API + silo) and PostgreSQL, seconds per 1,000 jobs.");
        md.AppendLine("Latency: 200 single submits 50 ms apart on the idle engine. Fairness: tenant X floods, tenant Y submits singles");
        md.AppendLine("20 ms apart (Hangfire and graphile-worker have no tenants: Y's jobs join the same queue).");
        md.AppendLine();
        var present = Engines.Where(runs.ContainsKey).ToList();
        md.AppendLine("| | " + string.Join(" | ", present.Select(e => Name(runs[e]))) + " |");
        md.AppendLine("|---|" + string.Concat(present.Select(_ => "---:|")));
        void Row(string label, Func<JsonElement, string> cell) =>
            md.AppendLine(CultureInfo.InvariantCulture, $"| {label} | {string.Join(" | ", present.Select(e => cell(runs[e])))} |");
        Row("N (burn-down)", r => N(r, "n", "N0"));
        Row("burn-down jobs/s", r => N(r, "burndown.jobs_per_s", "N0"));
        Row("burn-down seconds (of which submitting)", r => $"{N(r, "burndown.seconds", "F1")} ({N(r, "burndown.submit_seconds", "F1")})");
        Row("commits per job", r => N(r, "commits_per_job", "F2"));
        Row("CPU s per 1,000 jobs: engine + PostgreSQL = total", r =>
            $"{N(r, "cpu_s_per_1000.engine", "F2")} + {N(r, "cpu_s_per_1000.postgres", "F2")} = {N(r, "cpu_s_per_1000.total", "F2")}");
        Row("idle submit-to-start p50 / p95 / p99 ms", r => $"{N(r, "latency_ms.p50", "F1")} / {N(r, "latency_ms.p95", "F1")} / {N(r, "latency_ms.p99", "F1")}");
        Row("flood: X jobs, X drained in s", r => $"{N(r, "fairness.x_jobs", "N0")}, {N(r, "fairness.x_drain_seconds", "F1")}");
        Row("flood: Y's submit-to-start p50 / p99 ms", r => $"{N(r, "fairness.y_p50_ms", "F1")} / {N(r, "fairness.y_p99_ms", "F1")}");
        md.AppendLine();
        foreach (var engine in present)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"- {Name(runs[engine])}: {Text(runs[engine], "settings")}{(Text(runs[engine], "notes") is { Length: > 0 } n ? " " + n : "")}");
        }
        md.AppendLine();
        md.AppendLine("## Targets");
        md.AppendLine();
        if (!runs.TryGetValue("Actors", out var a))
        {
            md.AppendLine("- Actors was not run.");
            return md.ToString();
        }
        var rate = Value(a, "burndown.jobs_per_s");
        Ratio(md, "burn-down >= 5x H", rate, runs, "H", "burndown.jobs_per_s", 5);
        Ratio(md, "burn-down >= 1.0x G", rate, runs, "G", "burndown.jobs_per_s", 1);
        Limit(md, "idle submit-to-start p99 <= 50 ms", Value(a, "latency_ms.p99"), 50, "ms");
        Limit(md, "Y's submit-to-start p99 under X's flood <= 1,000 ms", Value(a, "fairness.y_p99_ms"), 1000, "ms");
        Limit(md, "<= 3 commits per job", Value(a, "commits_per_job"), 3, "");
        foreach (var peer in new[] { "H", "G" })
        {
            if (runs.TryGetValue(peer, out var p))
            {
                var ours = Value(a, "cpu_s_per_1000.total");
                var theirs = Value(p, "cpu_s_per_1000.total");
                md.AppendLine(CultureInfo.InvariantCulture,
                    $"- stack CPU per 1,000 jobs below {peer}'s: {(ours < theirs ? "**met**" : "**not met**")} ({ours:F2} s against {theirs:F2} s)");
            }
        }
        return md.ToString();
    }

    private static void Ratio(StringBuilder md, string label, double ours, IReadOnlyDictionary<string, JsonElement> runs, string peer, string path, double factor)
    {
        if (!runs.TryGetValue(peer, out var p))
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"- {label}: {peer} was not run");
            return;
        }
        var ratio = ours / Value(p, path);
        md.AppendLine(CultureInfo.InvariantCulture, $"- {label}: {(ratio >= factor ? "**met**" : "**not met**")} ({ratio:F2}x)");
    }

    private static void Limit(StringBuilder md, string label, double value, double limit, string unit) =>
        md.AppendLine(CultureInfo.InvariantCulture, $"- {label}: {(value <= limit ? "**met**" : "**not met**")} ({value:0.##}{(unit.Length > 0 ? " " + unit : "")})");

    private static string Name(JsonElement run) => Text(run, "name") is { Length: > 0 } name ? name : Text(run, "engine");

    private static string Text(JsonElement run, string name) =>
        run.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";

    private static double Value(JsonElement run, string path)
    {
        var node = run;
        foreach (var part in path.Split('.'))
        {
            if (node.ValueKind != JsonValueKind.Object || !node.TryGetProperty(part, out node))
            {
                return double.NaN;
            }
        }
        return node.ValueKind == JsonValueKind.Number ? node.GetDouble() : double.NaN;
    }

    private static string N(JsonElement run, string path, string format) =>
        Value(run, path) is var v && double.IsNaN(v) ? "–" : v.ToString(format, CultureInfo.InvariantCulture);
}
