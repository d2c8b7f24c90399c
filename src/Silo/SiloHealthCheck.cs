using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Actors.Silo;

/// <summary>Healthy when this silo is Active in the membership it sees; reports the active silos.</summary>
public sealed class SiloHealthCheck(IClusterMembershipService membership, ILocalSiloDetails local) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var snapshot = membership.CurrentSnapshot;
        var active = snapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active)
            .Select(m => m.SiloAddress.ToParsableString())
            .ToArray();
        var self = snapshot.GetSiloStatus(local.SiloAddress);
        var data = new Dictionary<string, object>
        {
            ["silo"] = local.SiloAddress.ToParsableString(),
            ["silo_status"] = self.ToString(),
            ["active_silos"] = active,
        };
        return Task.FromResult(self == SiloStatus.Active
            ? HealthCheckResult.Healthy("active", data)
            : HealthCheckResult.Unhealthy(self.ToString().ToLowerInvariant(), data: data));
    }
}
