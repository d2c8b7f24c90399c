namespace Actors.Contracts.Tenants;

[GenerateSerializer, Alias("Actors.TenantSettings")]
public sealed record TenantSettings
{
    public const int DefaultMaxConcurrentJobs = 4;
    public const int DefaultRequestsPerSecond = 100;

    [Id(0)] public int MaxConcurrentJobs { get; init; } = DefaultMaxConcurrentJobs;
    [Id(1)] public int RequestsPerSecond { get; init; } = DefaultRequestsPerSecond;
    public const int DefaultMaxCandidates = 100_000;
    public const int DefaultMaxSchedules = 100;
    public const int DefaultMaxActiveJobs = 1_000;

    [Id(2)] public string? BillingServiceUrl { get; init; }
    [Id(3)] public SmtpSettings Smtp { get; init; } = new();
    /// <summary>Stored candidates at most (a create beyond it is refused 422 limit_exceeded).</summary>
    [Id(4)] public int MaxCandidates { get; init; } = DefaultMaxCandidates;
    /// <summary>Schedules at most (each one holds a reminder).</summary>
    [Id(5)] public int MaxSchedules { get; init; } = DefaultMaxSchedules;
    /// <summary>Queued and processing jobs at most: a flood of submissions cannot grow the queue without bound.</summary>
    [Id(6)] public int MaxActiveJobs { get; init; } = DefaultMaxActiveJobs;
}
