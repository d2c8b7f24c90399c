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
    public static RunResult Read(string logPrefix, string summaryPath, Timing timing, int clients)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(logPrefix))!;
        var rows = new List<(double EndSeconds, double LatencyMs, bool Failed)>();
        foreach (var file in Directory.GetFiles(directory, Path.GetFileName(logPrefix) + ".*"))
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
