using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using System.Diagnostics.Metrics;
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

    public static readonly Gauge DatabaseConnections = Metrics.CreateGauge(
        "database_connections_active", "Server connections open to the Actors database (pg_stat_activity, all clients), read at each scrape.");

    /// <summary>
    /// What /metrics exposes besides our own series: process and .NET stats, and the .NET meters
    /// (Microsoft.Orleans, Npgsql, ASP.NET Core, System.Runtime). Event counters are left out (the
    /// same runtime figures come from the System.Runtime meter), and so are non-histogram instruments
    /// named <c>*.count</c>: exported as <c>*_count</c> they read as a histogram part and fail
    /// <c>promtool check metrics</c>; <c>database_connections_active</c> stands in for Npgsql's one.
    /// </summary>
    private static readonly Lazy<IDisposable> Exposition = new(() =>
    {
        Metrics.SuppressDefaultMetrics(new SuppressDefaultMetricOptions { SuppressEventCounters = true, SuppressMeters = true });
        return MeterAdapter.StartListening(new MeterAdapterOptions
        {
            InstrumentFilterPredicate = i => !(i.Name.EndsWith(".count", StringComparison.Ordinal) && i is not Histogram<double> and not Histogram<long> and not Histogram<int>),
        });
    });

    /// <summary>
    /// prometheus-net bridges .NET meters (Microsoft.Orleans, Npgsql, ASP.NET Core) lazily at the
    /// first scrape, losing whatever was recorded before; one collection at start-up attaches it.
    /// Each scrape also probes the database (<c>database_up</c>) and counts the cluster's active
    /// silos (<c>cluster_silos_active</c>), so an alert needs no extra exporter.
    /// </summary>
    public static IServiceCollection AddActorsMetrics(this IServiceCollection services, string service, string clusterId)
    {
        _ = Exposition.Value;
        services.AddHostedService(sp => new MetricsWarmup(service, clusterId, sp.GetRequiredService<NpgsqlDataSource>()));
        return services;
    }

    private sealed class MetricsWarmup(string service, string clusterId, NpgsqlDataSource db) : IHostedService
    {
        private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);
        // Hosts of each service running in this process (tests run several): service_up is 1 while any is.
        private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> Running = new(StringComparer.Ordinal);
        private volatile bool _stopped;

        public async Task StartAsync(CancellationToken cancellationToken)
        {
            Running.AddOrUpdate(service, 1, (_, n) => n + 1);
            ServiceUp.WithLabels(service).Set(1);
            Metrics.DefaultRegistry.AddBeforeCollectCallback(ProbeAsync);
            await Metrics.DefaultRegistry.CollectAndExportAsTextAsync(Stream.Null, cancellationToken);
        }

        public Task StopAsync(CancellationToken cancellationToken)
        {
            if (!_stopped)
            {
                _stopped = true;
                ServiceUp.WithLabels(service).Set(Running.AddOrUpdate(service, 0, (_, n) => Math.Max(0, n - 1)) > 0 ? 1 : 0);
            }
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
                    "SELECT (SELECT count(*) FROM cluster_members WHERE deploymentid = $1 AND status = 3), " +
                    "(SELECT count(*) FROM pg_stat_activity WHERE datname = current_database())");
                command.Parameters.Add(new NpgsqlParameter { Value = clusterId });
                command.CommandTimeout = (int)ProbeTimeout.TotalSeconds;
                await using var reader = await command.ExecuteReaderAsync(cancellationToken).WaitAsync(ProbeTimeout, cancellationToken);
                await reader.ReadAsync(cancellationToken);
                SilosActive.Set(reader.GetInt64(0));
                DatabaseConnections.Set(reader.GetInt64(1));
                DatabaseUp.WithLabels(service).Set(1);
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException or OperationCanceledException)
            {
                // Unreachable database: say so; the silo count keeps its last known value.
                DatabaseUp.WithLabels(service).Set(0);
            }
        }
    }
}
