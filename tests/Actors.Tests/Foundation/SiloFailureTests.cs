using Actors.Contracts;
using Actors.Contracts.Tenants;
using Actors.Tests.Infrastructure;

namespace Actors.Tests.Foundation;

public sealed class SiloFailureTests
{
    [Fact]
    public async Task KilledSiloLosesNoStoredStateAndItsGrainsAnswerFromAnotherSilo()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var cluster = await ActorsCluster.StartAsync(db, silos: 2);
        var victim = cluster.SecondarySilos[0];
        var slugs = Enumerable.Range(0, 32).Select(i => $"k{i}-{Guid.NewGuid():N}"[..14]).ToList();

        foreach (var slug in slugs)
        {
            await cluster.Client.GetGrain<ITenantGrain>(GrainKeys.Tenant(slug)).CreateAsync(new TenantDraft("Tenant " + slug, new TenantSettings()));
        }
        // Placement is random: check that the silo about to die really hosts some of them.
        var onVictim = await cluster.Client.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics(null, [victim.SiloAddress]);
        Assert.Contains(onVictim, g => g.GrainType.Contains("TenantGrain", StringComparison.Ordinal));

        await cluster.KillSiloAsync(victim);
        await cluster.WaitForLivenessToStabilizeAsync();

        foreach (var slug in slugs)
        {
            var tenant = await cluster.Client.GetGrain<ITenantGrain>(GrainKeys.Tenant(slug)).GetAsync();
            Assert.NotNull(tenant);
            Assert.Equal("Tenant " + slug, tenant.Name);
        }
        Assert.Single(cluster.GetActiveSilos());
    }
}
