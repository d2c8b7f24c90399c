using Actors.Grains.Storage;
using NpgsqlTypes;

namespace Actors.Grains.Jobs;

/// <summary><see cref="JobState"/> in <c>jobs</c>, counted by status.</summary>
public sealed class JobTable : StateTable<JobState>
{
    protected override string Table => "jobs";
    protected override string KeyColumn => "id";
    protected override NpgsqlDbType KeyType => NpgsqlDbType.Uuid;
    protected override string TenantOf => "tenant_id";
    protected override string ScopeColumn => "tenant_id";
    protected override IReadOnlyList<Counted> Counters { get; } = [new("job.status", "status")];

    protected override IReadOnlyList<Column<JobState>> Columns { get; } =
    [
        Text("tenant_id", s => s.TenantId, (s, v) => s.TenantId = v!),
        Text("type", s => s.Type, (s, v) => s.Type = v!),
        Text("parameters", s => s.Parameters, (s, v) => s.Parameters = v!),
        Enum("status", s => s.Status, (s, v) => s.Status = v),
        Int("attempts", s => s.Attempts, (s, v) => s.Attempts = v),
        Int("max_attempts", s => s.MaxAttempts, (s, v) => s.MaxAttempts = v),
        Long("processed", s => s.Processed, (s, v) => s.Processed = v ?? 0),
        Long("total", s => s.Total, (s, v) => s.Total = v),
        Text("result", s => s.Result, (s, v) => s.Result = v),
        Text("error_code", s => s.ErrorCode, (s, v) => s.ErrorCode = v),
        Text("error_message", s => s.ErrorMessage, (s, v) => s.ErrorMessage = v),
        Time("created_at", s => s.CreatedAt, (s, v) => s.CreatedAt = v!.Value),
        Time("started_at", s => s.StartedAt, (s, v) => s.StartedAt = v),
        Time("heartbeat_at", s => s.HeartbeatAt, (s, v) => s.HeartbeatAt = v),
        Time("completed_at", s => s.CompletedAt, (s, v) => s.CompletedAt = v),
        Uuid("schedule_id", s => s.ScheduleId, (s, v) => s.ScheduleId = v),
        Time("next_attempt_at", s => s.NextAttemptAt, (s, v) => s.NextAttemptAt = v),
        Bool("cancel_requested", s => s.CancelRequested, (s, v) => s.CancelRequested = v),
        Text("request_hash", s => s.RequestHash, (s, v) => s.RequestHash = v!),
        Text("created_by", s => s.CreatedBy, (s, v) => s.CreatedBy = v!),
    ];

    public override object Key(GrainId grainId) => grainId.GetGuidKey(out _);

    protected override void SetKey(JobState state, GrainId grainId) => state.Id = grainId.GetGuidKey(out _);
}
