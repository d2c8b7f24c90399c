using System.Globalization;
using System.Text.RegularExpressions;

namespace Actors.Bench;

/// <summary>
/// Reference A, measured by <c>scripts/bench.sh</c> with pgbench before this program starts: its
/// per-transaction logs (<c>-l</c>: client, transaction, latency µs, script, epoch s, µs) are read
/// here and cut to the same warm-up and window as every other scenario.
/// </summary>
public static partial class PgBench
{
    /// <summary>Runs pgbench with <paramref name="script"/> for the warm-up plus the window (and a second), logging every transaction.</summary>
    public static async Task RunAsync(string pgbench, string connectionString, string script, int clients, Timing timing, string logPrefix, string summaryPath, Action<int> started)
    {
        var cs = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        var start = new System.Diagnostics.ProcessStartInfo(pgbench)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(Path.GetFullPath(logPrefix))!,
        };
        foreach (var arg in new[]
                 {
                     "-h", cs.Host!, "-p", cs.Port.ToString(CultureInfo.InvariantCulture), "-U", cs.Username!, "-n", "-M", "prepared",
                     "-c", clients.ToString(CultureInfo.InvariantCulture), "-j", "2",
                     "-T", ((int)Math.Ceiling(timing.Total.TotalSeconds) + 1).ToString(CultureInfo.InvariantCulture),
                     "-f", script, "-l", "--log-prefix=" + logPrefix, cs.Database!,
                 })
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment["PGPASSWORD"] = cs.Password;
        using var process = System.Diagnostics.Process.Start(start) ?? throw new InvalidOperationException("pgbench did not start");
        started(process.Id);
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        await File.WriteAllTextAsync(summaryPath, await output + await error);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"pgbench failed ({process.ExitCode}): {await error}");
        }
    }

    public static RunResult Read(string logPrefix, string summaryPath, Timing timing, int clients)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(logPrefix))!;
        var rows = new List<(double EndSeconds, double LatencyMs, bool Failed)>();
        var name = Path.GetFileName(logPrefix) + ".";
        // pgbench names its logs <prefix>.<pid> and, per extra thread, <prefix>.<pid>.<thread>.
        foreach (var file in Directory.GetFiles(directory, name + "*")
                     .Where(f => Path.GetFileName(f)[name.Length..].All(c => char.IsDigit(c) || c == '.')))
        {
            foreach (var line in File.ReadLines(file))
            {
                var f = line.Split(' ');
                if (f.Length < 6)
                {
                    continue;
                }
                var end = long.Parse(f[4], CultureInfo.InvariantCulture) + long.Parse(f[5], CultureInfo.InvariantCulture) / 1e6;
                var ok = double.TryParse(f[2], NumberStyles.Float, CultureInfo.InvariantCulture, out var micros);
                rows.Add((end, ok ? micros / 1000.0 : double.NaN, !ok));
            }
        }
        if (rows.Count == 0)
        {
            throw new InvalidOperationException($"no pgbench log at {logPrefix}.*");
        }
        var first = rows.Min(r => r.EndSeconds);
        var from = first + timing.WarmUp.TotalSeconds;
        var to = from + timing.Measure.TotalSeconds;
        var window = rows.Where(r => r.EndSeconds >= from && r.EndSeconds <= to).ToList();
        var latencies = window.Where(r => !r.Failed).Select(r => r.LatencyMs).ToArray();
        Array.Sort(latencies);
        long failed = window.Count(r => r.Failed);
        var summary = File.Exists(summaryPath) ? File.ReadAllText(summaryPath) : "";
        var failedMatch = FailedLine().Match(summary);
        if (failedMatch.Success)
        {
            failed = Math.Max(failed, long.Parse(failedMatch.Groups[1].Value, CultureInfo.InvariantCulture));
        }
        return new RunResult($"closed, {clients} clients", timing.Measure.TotalSeconds, latencies.Length, 0, failed, 0, latencies, false);
    }

    [GeneratedRegex(@"number of failed transactions: (\d+)")]
    private static partial Regex FailedLine();
}
