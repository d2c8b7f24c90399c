using Actors.Contracts.Schedules;

namespace Actors.Data.Schedules;

[GenerateSerializer, Alias("Actors.ScheduleState")]
public sealed record ScheduleState
{
    [Id(0)] public Guid Id { get; set; }
    [Id(1)] public string TenantId { get; set; } = "";
    [Id(2)] public string Name { get; set; } = "";
    [Id(3)] public string Cron { get; set; } = "";
    [Id(4)] public string TimeZone { get; set; } = "UTC";
    [Id(5)] public string JobType { get; set; } = "";
    [Id(6)] public string Parameters { get; set; } = "{}";
    [Id(7)] public MissedRunPolicy MissedPolicy { get; set; }
    [Id(8)] public int MaxCatchUp { get; set; } = 10;
    [Id(9)] public OverlapPolicy OverlapPolicy { get; set; }
    [Id(10)] public bool Paused { get; set; }
    [Id(11)] public bool Deleted { get; set; }
    /// <summary>The last occurrence handled (fired or skipped): due runs are counted from here.</summary>
    [Id(12)] public DateTimeOffset? LastRunAt { get; set; }
    [Id(13)] public Guid? LastJobId { get; set; }
    [Id(14)] public DateTimeOffset CreatedAt { get; set; }
    [Id(15)] public DateTimeOffset UpdatedAt { get; set; }
    [Id(16)] public string CreatedBy { get; set; } = "";
}
