using Actors.Data.Storage;

namespace Actors.Data.Schedules;

/// <summary><see cref="ScheduleState"/> in <c>schedules</c>; schedules not deleted are counted (the cap).</summary>
public sealed class ScheduleTable : TenantEntityTable<ScheduleState>
{
    protected override string Table => "schedules";
    /// <summary>The counter of schedules not deleted, per tenant (key <c>active</c>: the cap, a list's total).</summary>
    public const string Counter = "schedule";

    protected override IReadOnlyList<Counted> CountedBy { get; } = [new(Counter, "CASE WHEN deleted THEN NULL ELSE 'active' END")];

    protected override IReadOnlyList<Column<ScheduleState>> Columns { get; } =
    [
        Text("tenant_id", s => s.TenantId, (s, v) => s.TenantId = v!),
        Text("name", s => s.Name, (s, v) => s.Name = v!),
        Text("cron", s => s.Cron, (s, v) => s.Cron = v!),
        Text("time_zone", s => s.TimeZone, (s, v) => s.TimeZone = v!),
        Text("job_type", s => s.JobType, (s, v) => s.JobType = v!),
        Text("parameters", s => s.Parameters, (s, v) => s.Parameters = v!),
        Enum("missed_policy", s => s.MissedPolicy, (s, v) => s.MissedPolicy = v),
        Int("max_catch_up", s => s.MaxCatchUp, (s, v) => s.MaxCatchUp = v),
        Enum("overlap_policy", s => s.OverlapPolicy, (s, v) => s.OverlapPolicy = v),
        Bool("paused", s => s.Paused, (s, v) => s.Paused = v),
        Bool("deleted", s => s.Deleted, (s, v) => s.Deleted = v),
        Time("last_run_at", s => s.LastRunAt, (s, v) => s.LastRunAt = v),
        Uuid("last_job_id", s => s.LastJobId, (s, v) => s.LastJobId = v),
        Time("created_at", s => s.CreatedAt, (s, v) => s.CreatedAt = v!.Value),
        Time("updated_at", s => s.UpdatedAt, (s, v) => s.UpdatedAt = v!.Value),
        Text("created_by", s => s.CreatedBy, (s, v) => s.CreatedBy = v!),
    ];

    protected override void SetId(ScheduleState state, Guid id) => state.Id = id;
}
