using Actors.Contracts.Jobs;
using Actors.Infrastructure.Jobs;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Actors.Data.Jobs;

namespace Actors.Grains.Jobs;

/// <summary>
/// The job engine's durable wake-up: one reminder for the whole cluster (period
/// <see cref="JobOptions.WatchdogPeriod"/>), where there used to be one reminder row per job. Each tick
/// reads the tenants with unfinished jobs from the counters (a few rows per tenant, whatever the number
/// of jobs) and sweeps their dispatchers, which reactivates a dispatcher lost with its silo, picks up
/// jobs whose queued message was lost, and finds the processing jobs whose heartbeat stopped. Ticks may
/// be missed or doubled: a sweep only reads the table and acts on what it says.
/// </summary>
public sealed partial class JobSweeperGrain(NpgsqlDataSource db, IOptions<JobOptions> options, ILogger<JobSweeperGrain> logger)
    : Grain, IJobSweeperGrain, IRemindable
{
    public const string Key = "system";
    private const string Reminder = "job-sweep";

    public async Task EnsureScheduledAsync()
    {
        // Registered again by every silo start, so a changed Jobs:WatchdogPeriod takes effect.
        var period = options.Value.WatchdogPeriod;
        await this.RegisterOrUpdateReminder(Reminder, period, period);
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status) => await RunAsync();

    public async Task<int> RunAsync()
    {
        var tenants = await JobQueries.ActiveTenantsAsync(db);
        var swept = await Task.WhenAll(tenants.Select(async tenant =>
        {
            try
            {
                await GrainFactory.GetGrain<IJobDispatcherGrain>(JobDispatcherGrain.Key(tenant)).SweepAsync();
                return true;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogSweepFailed(logger, tenant, ex.Message);
                return false;
            }
        }));
        return swept.Count(ok => ok);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The job sweep of tenant {TenantId} failed: {Reason}; the next tick tries again")]
    private static partial void LogSweepFailed(ILogger logger, string tenantId, string reason);
}
