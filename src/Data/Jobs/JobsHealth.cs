using Npgsql;

namespace Actors.Data.Jobs;

/// <summary>The job engine's health, cluster-wide (every API and silo answers the same): <c>/healthz/jobs</c>.</summary>
public sealed record JobsHealth(string Status, long Queued, long Processing, long Stuck, long FailedLast24h,
    double? OldestQueuedAgeSeconds, DateTimeOffset Timestamp)
{
    /// <summary>
    /// Without reading the jobs table through: queued and processing from the counters, stuck and
    /// recent failures from partial indexes of just those rows, the oldest queued job from the first
    /// entry of the queued index.
    /// </summary>
    public static async Task<JobsHealth> ReadAsync(NpgsqlDataSource db, TimeSpan stuckAfter)
    {
        var counts = await db.ReadAsync(null, JobTable.StatusCounter);
        await using var command = db.CreateCommand(
            """
            SELECT (SELECT count(*) FROM jobs WHERE status = 'processing' AND heartbeat_at < now() - make_interval(secs => $1)),
                   (SELECT count(*) FROM jobs WHERE status = 'failed' AND completed_at > now() - interval '24 hours'),
                   (SELECT extract(epoch FROM now() - min(created_at))::float8 FROM jobs WHERE status = 'queued')
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = stuckAfter.TotalSeconds });
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        var stuck = reader.GetInt64(0);
        return new JobsHealth(stuck > 0 ? "degraded" : "healthy", counts.GetValueOrDefault("queued"), counts.GetValueOrDefault("processing"),
            stuck, reader.GetInt64(1), reader.IsDBNull(2) ? null : Math.Round(reader.GetDouble(2), 3), DateTimeOffset.UtcNow);
    }
}
