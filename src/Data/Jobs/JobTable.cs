using Actors.Data.Storage;
using Npgsql;
using NpgsqlTypes;
using Actors.Contracts.Jobs;

namespace Actors.Data.Jobs;

/// <summary><see cref="JobState"/> in <c>jobs</c>, counted by status.</summary>
public sealed class JobTable : TenantEntityTable<JobState>
{
    protected override string Table => "jobs";
    /// <summary>The counter of jobs by status, per tenant (queue depth, the active-jobs cap, a list's total).</summary>
    public const string StatusCounter = "job.status";

    /// <summary>The statuses of a job not yet ended: what the tenant's <c>max_active_jobs</c> counts, and the sweep looks after.</summary>
    public static readonly string[] ActiveStatuses = ["queued", "processing"];

    protected override IReadOnlyList<Counted> CountedBy { get; } = [new(StatusCounter, "status")];

    /// <summary>A burst of jobs submitted, started or finished together shares its commits.</summary>
    public override bool Grouped => true;

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

    /// <summary>
    /// Stores new queued jobs of one tenant in one statement (one commit for the lot) with their counter
    /// delta, as each job grain's first write would store it (version 1). An id already stored is left as
    /// it is; answers the ids this statement inserted.
    /// </summary>
    public static async Task<HashSet<Guid>> InsertQueuedAsync(NpgsqlDataSource db, string tenantId,
        IReadOnlyList<(Guid Id, JobDraft Draft, int MaxAttempts)> jobs, DateTimeOffset now)
    {
        await using var command = db.CreateCommand(
            $"""
            WITH w AS (
                INSERT INTO jobs (id, version, tenant_id, type, parameters, status, attempts, max_attempts, processed,
                                  created_at, cancel_requested, request_hash, created_by, schedule_id)
                SELECT i.id, 1, $1, i.type, i.parameters, 'queued', 0, i.max_attempts, 0, $2, false, i.request_hash, i.created_by, NULL
                  FROM unnest($3::uuid[], $4::text[], $5::text[], $6::integer[], $7::text[], $8::text[])
                       AS i(id, type, parameters, max_attempts, request_hash, created_by)
                ON CONFLICT (id) DO NOTHING
                RETURNING id),
            {Counters.AddCte("SELECT $1, 'job.status', 'queued', $9, count(*) FROM w HAVING count(*) > 0")}
            SELECT id FROM w
            """);
        var p = command.Parameters;
        p.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = tenantId });
        p.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.TimestampTz, Value = now.ToUniversalTime() });
        p.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid, Value = jobs.Select(j => j.Id).ToArray() });
        p.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = jobs.Select(j => j.Draft.Type).ToArray() });
        p.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = jobs.Select(j => j.Draft.ParametersJson).ToArray() });
        p.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer, Value = jobs.Select(j => j.MaxAttempts).ToArray() });
        p.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = jobs.Select(j => j.Draft.RequestHash).ToArray() });
        p.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = jobs.Select(j => j.Draft.Actor).ToArray() });
        p.Add(Counters.StripeParameter());
        var inserted = new HashSet<Guid>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            inserted.Add(reader.GetGuid(0));
        }
        return inserted;
    }

    /// <summary>The stored request hash and status of those of <paramref name="ids"/> that exist in the tenant.</summary>
    public static async Task<Dictionary<Guid, (string RequestHash, JobStatus Status)>> ReadStoredAsync(NpgsqlDataSource db, string tenantId, Guid[] ids)
    {
        var stored = new Dictionary<Guid, (string, JobStatus)>();
        if (ids.Length == 0)
        {
            return stored;
        }
        await using var command = db.CreateCommand("SELECT id, request_hash, status FROM jobs WHERE id = ANY($1) AND tenant_id = $2");
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid, Value = ids });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = tenantId });
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            stored[reader.GetGuid(0)] = (reader.GetString(1), EnumNames<JobStatus>.Parse(reader.GetString(2)));
        }
        return stored;
    }

    protected override void SetId(JobState state, Guid id) => state.Id = id;
}
