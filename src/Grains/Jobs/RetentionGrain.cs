using Actors.Infrastructure.Jobs;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Actors.Data.Candidates;
using Actors.Data.Jobs;

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
        var deleted = await JobQueries.DeleteEndedAsync(db, options.Value.RetentionDays);
        LogDeleted(logger, deleted, options.Value.RetentionDays);

        // CSV imports: their reports go with their jobs; a file staged a day ago whose job was never
        // created (the upload's answer was lost and not retried) is dropped.
        await CandidateImports.DeleteExpiredAsync(db, options.Value.RetentionDays);
        return deleted;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention deleted {Count} finished jobs older than {Days} days")]
    private static partial void LogDeleted(ILogger logger, int count, int days);
}
