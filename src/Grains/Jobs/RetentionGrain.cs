using Actors.Infrastructure.Database;
using Actors.Infrastructure.Jobs;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Actors.Grains.Jobs;

[Alias("Actors.IRetentionGrain")]
public interface IRetentionGrain : IGrainWithStringKey
{
    /// <summary>Makes sure the retention reminder exists (called by every silo at start; idempotent).</summary>
    [Alias("Ensure")] Task EnsureScheduledAsync();

    /// <summary>Deletes finished jobs older than the retention; answers how many.</summary>
    [Alias("Run")] Task<int> RunAsync();
}

/// <summary>
/// The system schedule that deletes finished jobs (completed, failed, cancelled) older than
/// <see cref="JobOptions.RetentionDays"/>, as the seeds' cleanup SQL does, with their email delivery
/// rows, and takes them off the counters in the same statement; then the CSV imports of that age.
/// </summary>
public sealed partial class RetentionGrain(NpgsqlDataSource db, IOptions<JobOptions> options, ILogger<RetentionGrain> logger)
    : Grain, IRetentionGrain, IRemindable
{
    public const string Key = "system";

    public async Task EnsureScheduledAsync()
    {
        if (await this.GetReminder("retention") is null)
        {
            await this.RegisterOrUpdateReminder("retention", options.Value.RetentionPeriod, options.Value.RetentionPeriod);
        }
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status) => await RunAsync();

    public async Task<int> RunAsync()
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
            {Counters.AddCte("SELECT tenant_id, 'job.status', status, 0, -count(*) FROM gone GROUP BY tenant_id, status ORDER BY 1, 3")}
            SELECT count(*) FROM gone
            """);
        command.Parameters.AddWithValue("days", options.Value.RetentionDays);
        var deleted = (int)(long)(await command.ExecuteScalarAsync())!;
        LogDeleted(logger, deleted, options.Value.RetentionDays);

        // CSV imports: their reports go with their jobs; a file staged a day ago whose job was never
        // created (the upload's answer was lost and not retried) is dropped.
        await using var imports = db.CreateCommand(
            """
            WITH gone AS (
                DELETE FROM candidate_imports i
                 WHERE i.created_at < now() - make_interval(days => @days)
                    OR (i.created_at < now() - interval '1 day' AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.id = i.id))
                RETURNING id)
            DELETE FROM candidate_import_rows r USING gone WHERE r.import_id = gone.id
            """);
        imports.Parameters.AddWithValue("days", options.Value.RetentionDays);
        await imports.ExecuteNonQueryAsync();
        return deleted;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention deleted {Count} finished jobs older than {Days} days")]
    private static partial void LogDeleted(ILogger logger, int count, int days);
}
