namespace Actors.Bench;

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
