using Actors.Contracts;
using Actors.Contracts.Jobs;
using Actors.Grains.Jobs;
using Actors.Contracts.Tenants;
using Actors.Infrastructure.Database;
using Actors.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace Actors.Tests.Jobs;

/// <summary>
/// Jobs on a silo that dies continue elsewhere, found by the one cluster-wide sweep (no reminder per
/// job); a burst of jobs costs at most 3 commits each; retention removes old finished jobs.
/// </summary>
public sealed class JobRecoveryTests
{
    [Fact]
    public async Task ABurstOfJobsCostsAtMostThreeCommitsEachAndRegistersNoReminderPerJob()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var cluster = await ActorsCluster.StartAsync(db, silos: 1);
        const string tenant = "burst";
        await cluster.Client.GetGrain<ITenantGrain>(GrainKeys.Tenant(tenant))
            .CreateAsync(new TenantDraft("Burst", new TenantSettings { MaxConcurrentJobs = 64, MaxActiveJobs = 10_000 }));
        const string commits = "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()";
        const int jobs = 1000;
        var before = await db.ScalarAsync<long>(commits);

        var ids = Enumerable.Range(0, jobs).Select(_ => Guid.NewGuid()).ToList();
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (id, _) =>
            await cluster.Client.GetGrain<IJobGrain>(id, tenant).SubmitAsync(
                new JobDraft(JobTypes.DiagnosticsSleep, """{"steps":0}""", 1, "h-" + id, "test", null)));
        await Wait.UntilAsync(async () => await db.ScalarAsync<long>(
                "SELECT count(*) FROM jobs WHERE tenant_id = @t AND status = 'completed'", ("t", tenant)) == jobs,
            TimeSpan.FromSeconds(60), "every job completes");
        // pg_stat_database is flushed by each backend at most once a second (and when it goes idle).
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var perJob = (await db.ScalarAsync<long>(commits) - before) / (double)jobs;

        // Read, insert, start and finish would be 4 alone; concurrent ones share their batches' commits.
        // The count includes everything else in the window (membership, this test's polling).
        Assert.True(perJob <= 3.0, $"{perJob:F2} commits per job");
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM reminders WHERE remindername NOT IN ('job-sweep', 'retention')"));
        Assert.Equal(1L, await db.ScalarAsync<long>("SELECT count(*) FROM reminders WHERE remindername = 'job-sweep'"));
    }

    [Fact]
    public async Task AQueuedJobOfTheLastReleaseLosesItsWatchdogReminderAndStillRuns()
    {
        await using var db = await TestDatabase.CreateAsync(migrate: false);
        var runner = new MigrationRunner(db.ConnectionString, NullLogger<MigrationRunner>.Instance);
        Assert.Equal("0014_counters_storage", (await runner.MigrateAsync(upTo: "0014_counters_storage"))[^1]);
        const string tenant = "legacy";
        var id = Guid.NewGuid();
        // As the last release stored it: the row, its counter, and its own watchdog reminder.
        await db.ScalarAsync<int>(
            """
            INSERT INTO jobs (id, tenant_id, type, parameters, status, attempts, max_attempts, processed, created_at, request_hash, created_by, version)
            VALUES (@id, 'legacy', 'diagnostics.sleep', '{"steps":1,"step_ms":1}', 'queued', 0, 3, 0, now(), 'h', 'test', 1);
            INSERT INTO counters (tenant_id, kind, key, stripe, n) VALUES ('legacy', 'job.status', 'queued', 0, 1);
            INSERT INTO reminders (serviceid, grainid, remindername, starttime, period, grainhash, version)
            VALUES ('old-service', 'job/' || @id, 'job-watchdog', now(), 60000, 0, 0);
            """, ("id", id));

        await runner.MigrateAsync();
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM reminders WHERE remindername = 'job-watchdog'"));

        await using var cluster = await ActorsCluster.StartAsync(db, silos: 1);
        await cluster.Client.GetGrain<ITenantGrain>(GrainKeys.Tenant(tenant)).CreateAsync(new TenantDraft("Legacy", new TenantSettings()));
        await Wait.UntilAsync(async () => await db.ScalarAsync<string>("SELECT status FROM jobs WHERE id = @id", ("id", id)) == "completed",
            TimeSpan.FromSeconds(30), "the job of the last release completes");
    }

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
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM reminders WHERE remindername NOT IN ('job-sweep', 'retention')"));
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
