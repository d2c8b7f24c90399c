using Actors.Contracts;
using Actors.Contracts.Jobs;
using Npgsql;

namespace Actors.Data.Jobs;

public sealed record JobProgress(long Processed, long? Total);

public sealed record JobError(string Code, string? Message);

public sealed record EmailDelivery(string Recipient, string Status, string? Error, int Attempt, DateTimeOffset SentAt);

public sealed record JobListItem(Guid Id, string TenantId, string Type, string Status, int Attempts, int MaxAttempts, JobProgress Progress,
    JobError? Error, DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? CompletedAt);

/// <summary>
/// The read side of <c>jobs</c> and the engine's own queries on it: each reads an index range (the
/// tenant's queued jobs in order, its processing jobs, a page) or the counters, never the whole table.
/// </summary>
public static class JobQueries
{
    /// <summary>The stored names of <see cref="JobStatus"/>, as the <c>status</c> column and its counter keys hold them.</summary>
    public static readonly string[] Statuses = [.. Enum.GetValues<JobStatus>().Select(ActorsJson.Name)];

    /// <summary>
    /// A page of jobs, newest first (failed: newest failure first); <paramref name="status"/> is one of
    /// <see cref="Statuses"/> or null, <paramref name="tenant"/> null for every tenant.
    /// </summary>
    public static async Task<Page<JobListItem>> PageAsync(NpgsqlDataSource db, string? tenant, string? status, string? type, Paging page)
    {
        if (status is not null && !Statuses.Contains(status))
        {
            throw ActorsException.Invalid("status", "must be one of: " + string.Join(", ", Statuses));
        }
        // The status is one of Statuses, written as a literal so the planner can use the partial index
        // of failed jobs (newest failure first).
        var order = status == "failed" ? new KeysetOrder("completed_at", "id", "uuid") : new KeysetOrder("created_at", "id", "uuid");
        return await PagedQuery.ReadAsync(db,
            "id, tenant_id, type, status, attempts, max_attempts, processed, total, error_code, error_message, created_at, started_at, completed_at", "jobs",
            Sql.Where(tenant is null ? null : "tenant_id = @tenant", status is null ? null : $"status = '{status}'", type is null ? null : "type = @type"),
            order, page, [("tenant", tenant), ("type", type)],
            r => new JobListItem(r.GetGuid(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt32(4), r.GetInt32(5),
                new JobProgress(r.GetInt64(6), r.IsDBNull(7) ? null : r.GetInt64(7)),
                r.IsDBNull(8) ? null : new JobError(r.GetString(8), r.IsDBNull(9) ? null : r.GetString(9)),
                r.GetFieldValue<DateTimeOffset>(10), r.IsDBNull(11) ? null : r.GetFieldValue<DateTimeOffset>(11),
                r.IsDBNull(12) ? null : r.GetFieldValue<DateTimeOffset>(12)),
            type is not null ? null : status is null ? new CounterTotal(tenant, JobTable.StatusCounter) : new CounterTotal(tenant, JobTable.StatusCounter, status));
    }

    /// <summary>The tenant's next queued, due jobs in order (the index of status and creation), at most <paramref name="limit"/>.</summary>
    public static async Task<List<Guid>> DueAsync(NpgsqlDataSource db, string tenant, int limit)
    {
        await using var command = db.CreateCommand(
            """
            SELECT id FROM jobs
             WHERE tenant_id = $1 AND status = 'queued' AND (next_attempt_at IS NULL OR next_attempt_at <= now())
             ORDER BY created_at, id LIMIT $2
            """);
        command.Parameters.AddWithValue(tenant);
        command.Parameters.AddWithValue(limit);
        var due = new List<Guid>(limit);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            due.Add(reader.GetGuid(0));
        }
        return due;
    }

    /// <summary>The tenant's processing jobs, each with whether its heartbeat is older than <paramref name="stuckAfter"/>.</summary>
    public static async Task<List<(Guid Id, bool Stuck)>> ProcessingAsync(NpgsqlDataSource db, string tenant, TimeSpan stuckAfter)
    {
        await using var command = db.CreateCommand(
            "SELECT id, heartbeat_at < now() - $2 FROM jobs WHERE tenant_id = $1 AND status = 'processing'");
        command.Parameters.AddWithValue(tenant);
        command.Parameters.AddWithValue(stuckAfter);
        var processing = new List<(Guid, bool)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            processing.Add((reader.GetGuid(0), !reader.IsDBNull(1) && reader.GetBoolean(1)));
        }
        return processing;
    }

    /// <summary>The tenants with queued or processing jobs, from the counters.</summary>
    public static async Task<List<string>> ActiveTenantsAsync(NpgsqlDataSource db)
    {
        var tenants = new List<string>();
        await using var command = db.CreateCommand(
            """
            SELECT tenant_id FROM counters
             WHERE kind = $1 AND key = ANY($2)
             GROUP BY tenant_id HAVING sum(n) > 0
            """);
        command.Parameters.AddWithValue(JobTable.StatusCounter);
        command.Parameters.AddWithValue(JobTable.ActiveStatuses);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            tenants.Add(reader.GetString(0));
        }
        return tenants;
    }

    /// <summary>
    /// Deletes the jobs that ended more than <paramref name="days"/> ago, with their deliveries and their
    /// counts, in one statement; answers how many.
    /// </summary>
    public static async Task<int> DeleteEndedAsync(NpgsqlDataSource db, int days)
    {
        await using var command = db.CreateCommand(
            $"""
            WITH gone AS (
                DELETE FROM jobs
                 WHERE status IN ('completed', 'failed', 'cancelled')
                   AND completed_at < now() - make_interval(days => @days)
                RETURNING id, tenant_id, status),
            deliveries AS (
                DELETE FROM email_deliveries d USING gone WHERE d.job_id = gone.id),
            {Counters.AddCte($"SELECT tenant_id, '{JobTable.StatusCounter}', status, 0, -count(*) FROM gone GROUP BY tenant_id, status ORDER BY 1, 3")}
            SELECT count(*) FROM gone
            """);
        command.Parameters.AddWithValue("days", days);
        return (int)(long)(await command.ExecuteScalarAsync())!;
    }
}
