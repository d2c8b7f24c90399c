using Npgsql;
using Prometheus;
using Actors.Data.Jobs;

namespace Actors.WebApi.Jobs;

/// <summary>
/// <c>job_queue_size</c> and <c>jobs_stuck</c>, read from the jobs table at each scrape (cluster-wide
/// values, so every API instance reports the same numbers).
/// </summary>
public sealed class JobMetricsCollector(NpgsqlDataSource db, Microsoft.Extensions.Options.IOptions<Actors.Infrastructure.Jobs.JobOptions> jobs) : IHostedService
{
    private static readonly Gauge QueueSize = Metrics.CreateGauge("job_queue_size", "Jobs waiting to run (status queued).");
    private static readonly Gauge Processing = Metrics.CreateGauge("job_processing", "Jobs running (status processing).");
    private static readonly Gauge Stuck = Metrics.CreateGauge("jobs_stuck", "Processing jobs whose heartbeat is older than Jobs:StuckAfter.");
    private static readonly Gauge OldestQueued = Metrics.CreateGauge("job_oldest_queued_age_seconds", "Age of the oldest queued job.");

    public Task StartAsync(CancellationToken cancellationToken)
    {
        Metrics.DefaultRegistry.AddBeforeCollectCallback(async ct =>
        {
            try
            {
                var health = await JobsHealth.ReadAsync(db, jobs.Value.StuckAfter).WaitAsync(TimeSpan.FromSeconds(2), ct);
                QueueSize.Set(health.Queued);
                Processing.Set(health.Processing);
                Stuck.Set(health.Stuck);
                OldestQueued.Set(health.OldestQueuedAgeSeconds ?? 0);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // The database is down: keep the last values; database health says why.
            }
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
