using Actors.Contracts.Jobs;

namespace Actors.Data.Jobs;

/// <summary>Stored state of a job. Never reorder the [Id]s once stored.</summary>
[GenerateSerializer, Alias("Actors.JobState")]
public sealed record JobState
{
    [Id(0)] public Guid Id { get; set; }
    [Id(1)] public string TenantId { get; set; } = "";
    [Id(2)] public string Type { get; set; } = "";
    [Id(3)] public string Parameters { get; set; } = "{}";
    [Id(4)] public JobStatus Status { get; set; }
    [Id(5)] public int Attempts { get; set; }
    [Id(6)] public int MaxAttempts { get; set; }
    [Id(7)] public long Processed { get; set; }
    [Id(8)] public long? Total { get; set; }
    [Id(9)] public string? Result { get; set; }
    [Id(10)] public string? ErrorCode { get; set; }
    [Id(11)] public string? ErrorMessage { get; set; }
    [Id(12)] public DateTimeOffset CreatedAt { get; set; }
    [Id(13)] public DateTimeOffset? StartedAt { get; set; }
    [Id(14)] public DateTimeOffset? HeartbeatAt { get; set; }
    [Id(15)] public DateTimeOffset? CompletedAt { get; set; }
    [Id(16)] public Guid? ScheduleId { get; set; }
    [Id(17)] public DateTimeOffset? NextAttemptAt { get; set; }
    [Id(18)] public bool CancelRequested { get; set; }
    [Id(19)] public string RequestHash { get; set; } = "";
    [Id(20)] public string CreatedBy { get; set; } = "";
}
