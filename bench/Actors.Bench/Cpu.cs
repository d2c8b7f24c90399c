using System.Diagnostics;
using System.Globalization;

namespace Actors.Bench;

/// <summary>
/// CPU time of the stack's processes and of the whole machine, read from /proc, so a report can say
/// where the cores went: the API, the silo(s), PostgreSQL (the postmaster and its backends), this
/// load generator, and everything else on the machine (other people's builds on a shared box).
/// </summary>
public sealed class CpuMeter(int apiPid, IReadOnlyList<int> siloPids, int postmasterPid)
{
    public static readonly string[] Groups = ["API", "silo", "PostgreSQL", "load generator", "rest of machine"];

    private static readonly double TicksPerSecond = 100; // USER_HZ on Linux

    public sealed record Snapshot(long Timestamp, double[] Seconds, double MachineBusySeconds);

    /// <summary>Cores busy per group between two snapshots.</summary>
    public sealed record Usage(double[] Cores, double WallSeconds)
    {
        public double Ours => Cores.Take(4).Sum();
    }

    /// <summary>Another load generator process (pgbench) whose CPU counts as the load generator's while it runs.</summary>
    public int ExternalLoadPid { get; set; }

    /// <summary>A process counted in the API's group while set (reference D's app, which stands in for the API).</summary>
    public int StandInApiPid { get; set; }

    public Snapshot Take()
    {
        var api = ProcessSeconds(apiPid, children: false) + (StandInApiPid > 0 ? ProcessSeconds(StandInApiPid, children: false) : 0);
        var silo = siloPids.Sum(p => ProcessSeconds(p, children: false));
        var pg = ProcessSeconds(postmasterPid, children: true);
        foreach (var child in ChildrenOf(postmasterPid))
        {
            pg += ProcessSeconds(child, children: false);
        }
        var self = ProcessSeconds(Environment.ProcessId, children: false) + ProcessSeconds(ExternalLoadPid, children: false);
        return new Snapshot(Stopwatch.GetTimestamp(), [api, silo, pg, self], MachineBusy());
    }

    public static Usage Between(Snapshot from, Snapshot to)
    {
        var wall = (to.Timestamp - from.Timestamp) / (double)Stopwatch.Frequency;
        var cores = from.Seconds.Zip(to.Seconds, (a, b) => Math.Max(0, b - a) / wall).ToList();
        var machine = Math.Max(0, to.MachineBusySeconds - from.MachineBusySeconds) / wall;
        cores.Add(Math.Max(0, machine - cores.Sum()));
        return new Usage(cores.ToArray(), wall);
    }

    private static double ProcessSeconds(int pid, bool children)
    {
        if (pid <= 0)
        {
            return 0;
        }
        var f = StatFields(pid);
        if (f is null)
        {
            return 0;
        }
        // After "(comm)": state is field 3; utime 14, stime 15, cutime 16, cstime 17 (1-based).
        var ticks = long.Parse(f[11], CultureInfo.InvariantCulture) + long.Parse(f[12], CultureInfo.InvariantCulture);
        if (children)
        {
            ticks += long.Parse(f[13], CultureInfo.InvariantCulture) + long.Parse(f[14], CultureInfo.InvariantCulture);
        }
        return ticks / TicksPerSecond;
    }

    /// <summary>The fields after the command name (which may hold spaces), so index 0 is the state.</summary>
    private static string[]? StatFields(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");
            return text[(text.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static IEnumerable<int> ChildrenOf(int parent)
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), out var pid) && StatFields(pid) is { } f
                && int.TryParse(f[1], CultureInfo.InvariantCulture, out var ppid) && ppid == parent)
            {
                yield return pid;
            }
        }
    }

    private static double MachineBusy()
    {
        var cpu = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        // user nice system idle iowait irq softirq steal (guest time is already inside user)
        var busy = cpu.Take(8).Sum() - cpu[3] - cpu[4];
        return busy / TicksPerSecond;
    }
}
