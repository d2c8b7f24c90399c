using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Prometheus;

namespace Actors.Infrastructure.Observability;

public static class MetricsExtensions
{
    public static readonly Gauge ServiceUp = Metrics.CreateGauge(
        "service_up", "1 while this process is running and serving.", new GaugeConfiguration { LabelNames = ["service"] });

    public static readonly Gauge DatabaseUp = Metrics.CreateGauge(
        "database_up", "1 when PostgreSQL answered SELECT 1 at this scrape, else 0.", new GaugeConfiguration { LabelNames = ["service"] });

    public static readonly Gauge SilosActive = Metrics.CreateGauge(
        "cluster_silos_active", "Silos of this cluster whose membership row is Active, read at each scrape.");

    /// <summary>
    /// prometheus-net bridges .NET meters (Microsoft.Orleans, Npgsql, ASP.NET Core) lazily at the
    /// first scrape, losing whatever was recorded before; one collection at start-up attaches it.
    /// Each scrape also probes the database (<c>database_up</c>) and counts the cluster's active
    /// silos (<c>cluster_silos_active</c>), so an alert needs no extra exporter.
    /// </summary>
    public static IServiceCollection AddActorsMetrics(this IServiceCollection services, string service, string clusterId)
    {
        services.AddHostedService(sp => new MetricsWarmup(service, clusterId, sp.GetRequiredService<NpgsqlDataSource>()));
        return services;
    }

    private sealed class MetricsWarmup(string service, string clusterId, NpgsqlDataSource db) : IHostedService
    {
        private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);
        private volatile bool _stopped;

        public async Task StartAsync(CancellationToken cancellationToken)
        {
            ServiceUp.WithLabels(service).Set(1);
            Metrics.DefaultRegistry.AddBeforeCollectCallback(ProbeAsync);
            await Metrics.DefaultRegistry.CollectAndExportAsTextAsync(Stream.Null, cancellationToken);
        }

        public Task StopAsync(CancellationToken cancellationToken)
        {
            ServiceUp.WithLabels(service).Set(0);
            _stopped = true;
            return Task.CompletedTask;
        }

        private async Task ProbeAsync(CancellationToken cancellationToken)
        {
            // The registry is process-wide and keeps callbacks forever; a stopped host (tests run
            // several in one process) must not report on a disposed data source.
            if (_stopped)
            {
                return;
            }
            try
            {
                await using var command = db.CreateCommand(
                    "SELECT count(*) FROM cluster_members WHERE deploymentid = $1 AND status = 3");
                command.Parameters.Add(new NpgsqlParameter { Value = clusterId });
                command.CommandTimeout = (int)ProbeTimeout.TotalSeconds;
                var active = (long)(await command.ExecuteScalarAsync(cancellationToken).WaitAsync(ProbeTimeout, cancellationToken))!;
                DatabaseUp.WithLabels(service).Set(1);
                SilosActive.Set(active);
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException or OperationCanceledException)
            {
                // Unreachable database: say so; the silo count keeps its last known value.
                DatabaseUp.WithLabels(service).Set(0);
            }
        }
    }
}
