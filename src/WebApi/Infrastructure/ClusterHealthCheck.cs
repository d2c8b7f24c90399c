using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Actors.WebApi.Infrastructure;

/// <summary>Healthy when a gateway answers and the cluster reports at least one active silo.</summary>
public sealed class ClusterHealthCheck(IClusterClient client) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var hosts = await client.GetGrain<IManagementGrain>(0)
                .GetHosts(onlyActive: true)
                .WaitAsync(TimeSpan.FromSeconds(3), cancellationToken);
            var active = hosts.Keys.Select(s => s.ToParsableString()).ToArray();
            var data = new Dictionary<string, object> { ["active_silos"] = active };
            return active.Length > 0
                ? HealthCheckResult.Healthy($"{active.Length} active silo(s)", data)
                : HealthCheckResult.Unhealthy("no active silo", data: data);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy("unreachable", data: new Dictionary<string, object> { ["error"] = ex.GetType().Name });
        }
    }
}
