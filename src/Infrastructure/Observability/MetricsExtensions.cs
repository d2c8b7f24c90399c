using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Prometheus;

namespace Actors.Infrastructure.Observability;

public static class MetricsExtensions
{
    public static readonly Gauge ServiceUp = Metrics.CreateGauge(
        "service_up", "1 while this process is running and serving.", new GaugeConfiguration { LabelNames = ["service"] });

    /// <summary>
    /// prometheus-net bridges .NET meters (Microsoft.Orleans, Npgsql, ASP.NET Core) lazily at the
    /// first scrape, losing whatever was recorded before; one collection at start-up attaches it.
    /// </summary>
    public static IServiceCollection AddActorsMetrics(this IServiceCollection services, string service)
    {
        services.AddHostedService(_ => new MetricsWarmup(service));
        return services;
    }

    private sealed class MetricsWarmup(string service) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            ServiceUp.WithLabels(service).Set(1);
            await Metrics.DefaultRegistry.CollectAndExportAsTextAsync(Stream.Null, cancellationToken);
        }

        public Task StopAsync(CancellationToken cancellationToken)
        {
            ServiceUp.WithLabels(service).Set(0);
            return Task.CompletedTask;
        }
    }
}
