using Actors.Grains;
using Actors.Grains.Jobs;
using Actors.Grains.Tenants;
using Actors.Tests.Infrastructure;

namespace Actors.Tests.Jobs;

/// <summary>Jobs on a silo that dies continue elsewhere; retention removes old finished jobs.</summary>
public sealed class JobRecoveryTests
{
    [Fact]
    public async Task JobsRunningOnAKilledSiloAreResumedElsewhereAndComplete()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var cluster = await ActorsCluster.StartAsync(db, silos: 2);
        const string tenant = "recovery";
        await cluster.Client.GetGrain<ITenantGrain>(GrainKeys.Tenant(tenant))
            .CreateAsync(new TenantDraft("Recovery", new TenantSettings { MaxConcurrentJobs = 20 }));

        var ids = Enumerable.Range(0, 12).Select(_ => Guid.NewGuid()).ToList();
        foreach (var id in ids)
        {
            await cluster.Client.GetGrain<IJobGrain>(id, tenant).SubmitAsync(
                new JobDraft(JobTypes.DiagnosticsSleep, """{"steps":40,"step_ms":100}""", 3, "h-" + id, "test", null));
        }
        await Wait.UntilAsync(async () => await db.ScalarAsync<long>("SELECT count(*) FROM jobs WHERE status = 'processing'") == ids.Count,
            TimeSpan.FromSeconds(30), "all jobs processing");

        // Placement is not uniform (a run once put all twelve on one silo): the victim is whichever
        // silo holds the most running jobs, and the jobs on it are the ones that must run again.
        var management = cluster.Client.GetGrain<IManagementGrain>(0);
        var bySilo = new List<(Orleans.TestingHost.SiloHandle Silo, int Jobs)>();
        foreach (var silo in cluster.Silos)
        {
            var stats = await management.GetDetailedGrainStatistics(null, [silo.SiloAddress]);
            bySilo.Add((silo, stats.Count(g => g.GrainType.Contains("JobGrain", StringComparison.Ordinal))));
        }
        var (victim, onVictim) = bySilo.MaxBy(s => s.Jobs);
        Assert.True(onVictim > 0);

        await cluster.KillSiloAsync(victim);
        await cluster.WaitForLivenessToStabilizeAsync();

        await Wait.UntilAsync(async () => await db.ScalarAsync<long>("SELECT count(*) FROM jobs WHERE status = 'completed'") == ids.Count,
            TimeSpan.FromSeconds(90), "every job completes after the kill");
        Assert.True(await db.ScalarAsync<long>("SELECT count(*) FROM jobs WHERE attempts >= 2") >= onVictim,
            "the jobs of the killed silo ran again");
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM jobs WHERE status <> 'completed'"));
    }

    [Fact]
    public async Task RetentionDeletesOnlyFinishedJobsOlderThanTheSetting()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var cluster = await ActorsCluster.StartAsync(db, silos: 1);
        const string tenant = "retention";
        await cluster.Client.GetGrain<ITenantGrain>(GrainKeys.Tenant(tenant)).CreateAsync(new TenantDraft("Retention", new TenantSettings()));
        var old = Guid.NewGuid();
        var recent = Guid.NewGuid();
        foreach (var id in new[] { old, recent })
        {
            await cluster.Client.GetGrain<IJobGrain>(id, tenant).SubmitAsync(
                new JobDraft(JobTypes.DiagnosticsSleep, """{"steps":1,"step_ms":1}""", 1, "h", "test", null));
        }
        await Wait.UntilAsync(async () => await db.ScalarAsync<long>("SELECT count(*) FROM jobs WHERE status = 'completed'") == 2,
            TimeSpan.FromSeconds(30), "both jobs complete");
        // Age one of them past the 90-day retention, in its stored row.
        await db.ScalarAsync<int>("UPDATE jobs SET completed_at = now() - interval '91 days' WHERE id = @id", ("id", old));

        var deleted = await cluster.Client.GetGrain<IRetentionGrain>(RetentionGrain.Key).RunAsync();

        Assert.Equal(1, deleted);
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM jobs WHERE id = @id", ("id", old)));
        Assert.Equal(1L, await db.ScalarAsync<long>("SELECT count(*) FROM jobs WHERE id = @id", ("id", recent)));
    }
}
