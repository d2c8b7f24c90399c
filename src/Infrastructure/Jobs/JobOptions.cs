namespace Actors.Infrastructure.Jobs;

/// <summary>Section <c>Jobs</c>: the job engine's timings (silos) and what counts as stuck (silos, API health and metrics).</summary>
public sealed class JobOptions
{
    public const string Section = "Jobs";

    /// <summary>How often a running job records its heartbeat and progress.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A processing job whose heartbeat is older than this (and not running here) is stuck.</summary>
    public TimeSpan StuckAfter { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Period of the job sweep (JobSweeperGrain), the one reminder of the job engine: the durable wake-up after a silo dies.</summary>
    public TimeSpan WatchdogPeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>First retry delay; doubles per attempt, capped at <see cref="MaxRetryDelay"/>, with equal jitter (half fixed, half random).</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Finished jobs older than this are deleted by the retention task.</summary>
    public int RetentionDays { get; set; } = 90;

    /// <summary>Period of the retention task.</summary>
    public TimeSpan RetentionPeriod { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The first error of these settings (named as configured), or null when they are usable.</summary>
    public string? Refusal() =>
        HeartbeatInterval <= TimeSpan.Zero ? "Jobs:HeartbeatInterval must be positive"
        : StuckAfter < HeartbeatInterval * 2 ? "Jobs:StuckAfter must be at least twice Jobs:HeartbeatInterval (a live job would look stuck)"
        : WatchdogPeriod <= TimeSpan.Zero ? "Jobs:WatchdogPeriod must be positive"
        : RetryBaseDelay <= TimeSpan.Zero ? "Jobs:RetryBaseDelay must be positive"
        : MaxRetryDelay < RetryBaseDelay ? "Jobs:MaxRetryDelay must be at least Jobs:RetryBaseDelay"
        : RetentionDays < 1 ? "Jobs:RetentionDays must be at least 1"
        : RetentionPeriod <= TimeSpan.Zero ? "Jobs:RetentionPeriod must be positive"
        : null;
}
