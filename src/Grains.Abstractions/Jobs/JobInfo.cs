namespace Actors.Contracts.Jobs;

[GenerateSerializer, Alias("Actors.JobInfo")]
public sealed record JobInfo
{
    [Id(0)] public Guid Id { get; init; }
    [Id(1)] public string TenantId { get; init; } = "";
    [Id(2)] public string Type { get; init; } = "";
    [Id(3)] public string ParametersJson { get; init; } = "{}";
    [Id(4)] public JobStatus Status { get; init; }
    [Id(5)] public int Attempts { get; init; }
    [Id(6)] public int MaxAttempts { get; init; }
    [Id(7)] public long Processed { get; init; }
    [Id(8)] public long? Total { get; init; }
    [Id(9)] public string? ResultJson { get; init; }
    [Id(10)] public string? ErrorCode { get; init; }
    [Id(11)] public string? ErrorMessage { get; init; }
    [Id(12)] public DateTimeOffset CreatedAt { get; init; }
    [Id(13)] public DateTimeOffset? StartedAt { get; init; }
    [Id(14)] public DateTimeOffset? HeartbeatAt { get; init; }
    [Id(15)] public DateTimeOffset? CompletedAt { get; init; }
    [Id(16)] public Guid? ScheduleId { get; init; }
    [Id(17)] public DateTimeOffset? NextAttemptAt { get; init; }
    [Id(18)] public bool CancelRequested { get; init; }
    /// <summary>True when a submission found this job already there (same idempotency key).</summary>
    [Id(19)] public bool Existing { get; init; }
}
