using System.Collections.Concurrent;
using System.Diagnostics;

namespace Actors.Bench;

/// <summary>One finished operation: when it was due (open loop) or started (closed loop), when it ended, how it went.</summary>
public readonly record struct Sample(long Start, long End, Outcome Outcome);

public enum Outcome
{
    Ok,
    Conflict,
    Error,
}

/// <summary>One unit of load: answers the outcome, or null when there is nothing left to do (a pool ran dry).</summary>
public delegate Task<Outcome?> Operation(long sequence, CancellationToken cancellationToken);

/// <summary>How long a run warms up and then measures.</summary>
public sealed record Timing(TimeSpan WarmUp, TimeSpan Measure)
{
    public TimeSpan Total => WarmUp + Measure;
}

/// <summary>What a run measured inside its window (warm-up excluded).</summary>
public sealed record RunResult(
    string Mode, double Seconds, long Ok, long Conflicts, long Errors, long NotSent, double[] LatenciesMs, bool PoolExhausted)
{
    /// <summary>Successful operations ending in each whole second of the window (shows a trend, such as a growing state).</summary>
    public IReadOnlyList<long> OkPerSecond { get; init; } = [];

    public double PerSecond => Seconds > 0 ? Ok / Seconds : 0;
    public double Percentile(double p) => Stats.Percentile(LatenciesMs, p);
    public long Failed => Conflicts + Errors + NotSent;
}

public static class Stats
{
    /// <summary>Nearest-rank percentile of a sorted array (all samples kept: no histogram approximation).</summary>
    public static double Percentile(double[] sorted, double p)
    {
        if (sorted.Length == 0)
        {
            return double.NaN;
        }
        var rank = (int)Math.Ceiling(p / 100.0 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    public static double ToMs(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
}

public static class LoadRunner
{
    /// <summary>Called with true when a run's measured window opens and false when it closes (CPU accounting).</summary>
    public static Action<bool>? OnWindow { get; set; }

    public static async Task MarkWindowAsync(Timing timing)
    {
        var window = OnWindow;
        if (window is null)
        {
            return;
        }
        await Task.Delay(timing.WarmUp);
        window(true);
        await Task.Delay(timing.Measure);
        window(false);
    }

    /// <summary>
    /// Closed loop: <paramref name="concurrency"/> workers, each starting its next operation when the
    /// previous one ends. Finds the maximum throughput at that concurrency. Latency runs from the start
    /// of each operation; the window counts operations that end inside it.
    /// </summary>
    public static async Task<RunResult> ClosedAsync(int concurrency, Timing timing, Operation operation)
    {
        var samples = new ConcurrentQueue<Sample>();
        var marks = MarkWindowAsync(timing);
        var begin = Stopwatch.GetTimestamp();
        var windowStart = begin + Ticks(timing.WarmUp);
        var end = begin + Ticks(timing.Total);
        long sequence = -1;
        long exhaustedAt = long.MaxValue;
        using var cts = new CancellationTokenSource(timing.Total + TimeSpan.FromSeconds(30));

        var workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            while (Stopwatch.GetTimestamp() < end && Interlocked.Read(ref exhaustedAt) == long.MaxValue)
            {
                var start = Stopwatch.GetTimestamp();
                var outcome = await Safe(operation, Interlocked.Increment(ref sequence), cts.Token);
                var stop = Stopwatch.GetTimestamp();
                if (outcome is null)
                {
                    Interlocked.CompareExchange(ref exhaustedAt, stop, long.MaxValue);
                    return;
                }
                samples.Enqueue(new Sample(start, stop, outcome.Value));
            }
        })).ToArray();
        await Task.WhenAll(workers);
        await marks;

        var windowEnd = Math.Min(end, exhaustedAt);
        var inWindow = samples.Where(s => s.End >= windowStart && s.End <= windowEnd).ToList();
        return Summarise($"closed, {concurrency} clients", windowStart, windowEnd, inWindow, 0, exhaustedAt != long.MaxValue);
    }

    /// <summary>
    /// Open loop: operations are due on a fixed schedule at <paramref name="rate"/> per second, at most
    /// <paramref name="maxInFlight"/> at once. Latency runs from the time an operation was due, not from
    /// when it could be sent, so a slow server is not hidden by the load generator waiting for it
    /// (coordinated omission). Operations still unsent when the run ends count as not sent.
    /// </summary>
    public static async Task<RunResult> OpenAsync(double rate, int maxInFlight, Timing timing, Operation operation)
    {
        var samples = new ConcurrentQueue<Sample>();
        var slots = new SemaphoreSlim(maxInFlight, maxInFlight);
        var tasks = new List<Task>();
        using var cts = new CancellationTokenSource(timing.Total + TimeSpan.FromSeconds(30));
        var marks = MarkWindowAsync(timing);
        var begin = Stopwatch.GetTimestamp();
        var windowStart = begin + Ticks(timing.WarmUp);
        var end = begin + Ticks(timing.Total);
        // An operation may leave up to a second after it was due (its latency says so); later, it is not sent.
        var lastSend = end + Stopwatch.Frequency;
        var total = (long)(rate * timing.Total.TotalSeconds);
        var ticksPerOperation = Stopwatch.Frequency / rate;
        long sent = 0;
        long notSentInWindow = 0;
        var exhausted = 0;

        while (sent < total && Volatile.Read(ref exhausted) == 0)
        {
            var now = Stopwatch.GetTimestamp();
            var due = Math.Min(total, (long)((now - begin) / ticksPerOperation) + 1);
            while (sent < due)
            {
                var scheduled = begin + (long)(sent * ticksPerOperation);
                await slots.WaitAsync(cts.Token);
                if (Stopwatch.GetTimestamp() >= lastSend)
                {
                    // The server fell so far behind that the rest of the schedule cannot be sent in time.
                    slots.Release();
                    for (var i = sent; i < total; i++)
                    {
                        var at = begin + (long)(i * ticksPerOperation);
                        if (at >= windowStart) notSentInWindow++;
                    }
                    sent = total;
                    break;
                }
                var sequence = sent++;
                var task = Task.Run(async () =>
                {
                    try
                    {
                        var outcome = await Safe(operation, sequence, cts.Token);
                        if (outcome is null)
                        {
                            Volatile.Write(ref exhausted, 1);
                            return;
                        }
                        samples.Enqueue(new Sample(scheduled, Stopwatch.GetTimestamp(), outcome.Value));
                    }
                    finally
                    {
                        slots.Release();
                    }
                });
                tasks.Add(task);
            }
            await Task.Delay(1);
        }
        await Task.WhenAll(tasks);
        await marks;

        var inWindow = samples.Where(s => s.Start >= windowStart && s.Start < end).ToList();
        return Summarise($"rate {rate:0}/s (≤{maxInFlight} in flight)", windowStart, end, inWindow, notSentInWindow, exhausted == 1);
    }

    private static RunResult Summarise(string mode, long windowStart, long windowEnd, List<Sample> samples, long notSent, bool exhausted)
    {
        var ok = samples.Where(s => s.Outcome == Outcome.Ok).Select(s => Stats.ToMs(s.End - s.Start)).ToArray();
        Array.Sort(ok);
        var seconds = Math.Max(0, Stats.ToMs(windowEnd - windowStart) / 1000.0);
        var perSecond = new long[(int)Math.Floor(seconds)];
        foreach (var sample in samples.Where(s => s.Outcome == Outcome.Ok))
        {
            var second = (int)((sample.End - windowStart) / Stopwatch.Frequency);
            if (second >= 0 && second < perSecond.Length) perSecond[second]++;
        }
        return new RunResult(mode, seconds, ok.Length,
            samples.Count(s => s.Outcome == Outcome.Conflict), samples.Count(s => s.Outcome == Outcome.Error), notSent, ok, exhausted)
        {
            OkPerSecond = perSecond,
        };
    }

    private static async Task<Outcome?> Safe(Operation operation, long sequence, CancellationToken cancellationToken)
    {
        try
        {
            return await operation(sequence, cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or OperationCanceledException or IOException
                                       or Npgsql.NpgsqlException)
        {
            Errors.Note(ex.GetType().Name + ": " + ex.Message);
            return Outcome.Error;
        }
    }

    private static long Ticks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);
}

/// <summary>The first few distinct error messages, printed so a failing run says why.</summary>
public static class Errors
{
    private static readonly ConcurrentDictionary<string, int> Seen = new();

    public static void Note(string message)
    {
        if (Seen.Count < 20)
        {
            Seen.AddOrUpdate(message.Length > 200 ? message[..200] : message, 1, (_, n) => n + 1);
        }
        else if (Seen.ContainsKey(message))
        {
            Seen[message]++;
        }
    }

    public static IEnumerable<string> Drain()
    {
        var all = Seen.OrderByDescending(kv => kv.Value).Select(kv => $"{kv.Value} × {kv.Key}").ToList();
        Seen.Clear();
        return all;
    }
}
