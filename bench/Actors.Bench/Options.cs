using System.CommandLine;

namespace Actors.Bench;

/// <summary>The root command's options (the API scenarios); <c>scripts/bench.sh</c> sets every one.</summary>
internal sealed record Options
{
    public string ApiUrl { get; init; } = "http://127.0.0.1:8080";
    public string ConnectionString { get; init; } = "";
    public string Email { get; init; } = "";
    public string Password { get; init; } = "";
    public double WarmUpSeconds { get; init; } = 2;
    public double MeasureSeconds { get; init; } = 6;
    public int HttpConcurrency { get; init; } = 64;
    public int WriteConcurrency { get; init; } = 16;
    public int HotClients { get; init; } = 64;
    public double RateFraction { get; init; } = 0.7;
    public int MaxInFlight { get; init; } = 512;
    public string PgBench { get; init; } = "pgbench";
    public string PgBenchScript { get; init; } = "";
    public string PgBenchLogPrefix { get; init; } = "";
    public string PgBenchSummary { get; init; } = "";
    public string OutputDirectory { get; init; } = "bench/results";
    public string Commit { get; init; } = "";
    public string Sdk { get; init; } = "";
    public int Silos { get; init; } = 1;
    public string Command { get; init; } = "./scripts/bench.sh";
    public int ApiPid { get; init; }
    public IReadOnlyList<int> SiloPids { get; init; } = [];
    public int PostmasterPid { get; init; }
    public string ReferenceD { get; init; } = "";
    public int Preload { get; init; }
    public int ReferenceDPid { get; init; }

    /// <summary>The root command: these options (named as before: <c>--api</c>, <c>--warmup</c>, …), then <paramref name="run"/>.</summary>
    public static RootCommand Root(Func<Options, Task<int>> run)
    {
        var d = new Options();
        var root = new RootCommand("The load generator of scripts/bench.sh: loads a running stack over HTTP (scenarios A to D) and prints one table.");
        var stack = new StackOptions(root, required: false);
        var warmup = Add(root, Cli.Optional("--warmup", "Warm-up seconds per scenario", d.WarmUpSeconds));
        var measure = Add(root, Cli.Optional("--measure", "Measured seconds per scenario", d.MeasureSeconds));
        var httpConcurrency = Add(root, Cli.Optional("--http-concurrency", "Clients of the read scenarios", d.HttpConcurrency));
        var writeConcurrency = Add(root, Cli.Optional("--write-concurrency", "Clients of the write scenarios (and pgbench's)", d.WriteConcurrency));
        var hotClients = Add(root, Cli.Optional("--hot-clients", "Clients changing the one hot candidate", d.HotClients));
        var rateFraction = Add(root, Cli.Optional("--rate-fraction", "The fixed rate offered, as a fraction of the closed-loop maximum", d.RateFraction));
        var maxInFlight = Add(root, Cli.Optional("--max-in-flight", "Requests in flight at most at a fixed rate", d.MaxInFlight));
        var pgbench = Add(root, Cli.Optional("--pgbench", "The pgbench binary (reference A)", d.PgBench));
        var pgbenchScript = Add(root, Cli.Optional("--pgbench-script", "pgbench's script file", d.PgBenchScript));
        var pgbenchLog = Add(root, Cli.Optional("--pgbench-log", "pgbench's per-transaction log prefix", d.PgBenchLogPrefix));
        var pgbenchSummary = Add(root, Cli.Optional("--pgbench-summary", "The file pgbench's summary is written to", d.PgBenchSummary));
        var output = Add(root, Cli.Optional("--out", "The folder of the results (<time>.md and latest.md)", d.OutputDirectory));
        var commit = Add(root, Cli.Optional("--commit", "The commit measured, for the report", d.Commit));
        var sdk = Add(root, Cli.Optional("--sdk", "The .NET SDK version, for the report", d.Sdk));
        var silos = Add(root, Cli.Optional("--silos", "Silos in the stack, for the report", d.Silos));
        var command = Add(root, Cli.Optional("--command", "The command that ran the bench, for the report", d.Command));
        var referenceD = Add(root, Cli.Optional("--reference-d", "Reference D's base URL (empty: D is not run)", d.ReferenceD));
        var preload = Add(root, Cli.Optional("--preload", "Candidates and jobs preloaded before the last pass (0: no such pass)", d.Preload));
        var referenceDPid = Add(root, Cli.Optional("--reference-d-pid", "Reference D's process id (CPU)", d.ReferenceDPid));
        root.SetAction((result, _) =>
        {
            var s = stack.Read(result);
            return run(new Options
            {
                ApiUrl = s.ApiUrl,
                ConnectionString = s.ConnectionString,
                Email = s.Email,
                Password = s.Password,
                ApiPid = s.ApiPid,
                SiloPids = s.SiloPids,
                PostmasterPid = s.PostmasterPid,
                WarmUpSeconds = result.GetValue(warmup),
                MeasureSeconds = result.GetValue(measure),
                HttpConcurrency = result.GetValue(httpConcurrency),
                WriteConcurrency = result.GetValue(writeConcurrency),
                HotClients = result.GetValue(hotClients),
                RateFraction = result.GetValue(rateFraction),
                MaxInFlight = result.GetValue(maxInFlight),
                PgBench = result.GetValue(pgbench)!,
                PgBenchScript = result.GetValue(pgbenchScript)!,
                PgBenchLogPrefix = result.GetValue(pgbenchLog)!,
                PgBenchSummary = result.GetValue(pgbenchSummary)!,
                OutputDirectory = result.GetValue(output)!,
                Commit = result.GetValue(commit)!,
                Sdk = result.GetValue(sdk)!,
                Silos = result.GetValue(silos),
                Command = result.GetValue(command)!,
                ReferenceD = result.GetValue(referenceD)!,
                Preload = result.GetValue(preload),
                ReferenceDPid = result.GetValue(referenceDPid),
            });
        });
        return root;
    }

    private static Option<T> Add<T>(Command command, Option<T> option)
    {
        command.Options.Add(option);
        return option;
    }
}
