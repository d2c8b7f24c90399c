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
/// <see cref="JobOptions.RetentionDays"/>, as the seeds' cleanup SQL does; the jobs rows follow
/// their grain state through a trigger.
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
            """
            DELETE FROM grain_state g
             USING jobs j
             WHERE g.graintypestring = 'job' AND (g.payload->>'id')::uuid = j.id
               AND j.status IN ('completed', 'failed', 'cancelled')
               AND j.completed_at < now() - make_interval(days => @days)
            """);
        command.Parameters.AddWithValue("days", options.Value.RetentionDays);
        var deleted = await command.ExecuteNonQueryAsync();
        LogDeleted(logger, deleted, options.Value.RetentionDays);
        return deleted;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention deleted {Count} finished jobs older than {Days} days")]
    private static partial void LogDeleted(ILogger logger, int count, int days);
}
