using Actors.Contracts.Schedules;
using System.Text.Json;
using Actors.Contracts;
using Actors.Contracts.Candidates;
using Actors.Contracts.Jobs;
using Actors.Contracts.Tenants;
using Actors.Contracts.Users;
using Actors.Infrastructure.Database;
using Actors.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Logging.Abstractions;
using Actors.Data.Candidates;
using Actors.Data.Jobs;
using Actors.Data.Schedules;
using Actors.Data.Tenants;
using Actors.Data.Users;

namespace Actors.Tests.Foundation;

/// <summary>
/// A database of the previous release (migrations up to 0009, state as JSON rows in grain_state that
/// the triggers projected) is upgraded in place by the normal migration command, and everything in it
/// is served unchanged from the typed tables.
/// </summary>
public sealed class UpgradeTests
{
    private const string Tenant = "upgraded";
    private static readonly DateTimeOffset T0 = new(2026, 11, 20, 8, 30, 15, 123, TimeSpan.Zero);

    [Fact]
    public async Task JsonStateOfThePreviousReleaseIsMigratedAndServedUnchanged()
    {
        await using var db = await TestDatabase.CreateAsync(migrate: false);
        var runner = new MigrationRunner(db.ConnectionString, NullLogger<MigrationRunner>.Instance);
        Assert.Equal("0009_candidate_history", (await runner.MigrateAsync(upTo: "0009_candidate_history"))[^1]);

        var tenant = new TenantState
        {
            Slug = Tenant, Name = "Upgraded Ltd", Status = TenantStatus.Active, Version = 4, StatusChangedBy = "ops@example.com",
            Settings = new TenantSettings { MaxConcurrentJobs = 3, MaxCandidates = 50, Smtp = new SmtpSettings { Host = "smtp.example", Username = "mailer", Password = "s3cret-pw", FromAddress = "no-reply@example.com" } },
            CreatedAt = T0, UpdatedAt = T0.AddMinutes(5),
        };
        var user = new UserState
        {
            Email = "old@upgraded.example", TenantId = Tenant, Role = UserRole.Reviewer, TokenVersion = 3, FailedLogins = 1,
            PasswordHash = new PasswordHasher<string>().HashPassword("old@upgraded.example", "old-password-1"), CreatedAt = T0, UpdatedAt = T0,
        };
        var approvedId = Guid.NewGuid();
        var approved = new CandidateState
        {
            Id = approvedId, TenantId = Tenant, CompanyName = "Old Approved Co", ContactEmail = "a@old.example", ContactPhone = "+44 20 7946 0000",
            Products = ["lending", "payments"], Status = CandidateStatus.Approved, Provisioning = ProvisioningStatus.NotStarted, Version = 2,
            CreatedAt = T0, UpdatedAt = T0.AddMinutes(1), DecidedBy = "rev@example.com", DecidedAt = T0.AddMinutes(1), RequestHash = "hash-a", DecisionKey = "decide-1",
            History = [new(T0, "admin@example.com", "created", null, "pending", null), new(T0.AddMinutes(1), "rev@example.com", "approved", "pending", "approved", null)],
        };
        var pendingId = Guid.NewGuid();
        var pending = new CandidateState
        {
            Id = pendingId, TenantId = Tenant, CompanyName = "Old Pending Co", ContactEmail = "p@old.example", Products = ["payments"],
            Status = CandidateStatus.Pending, Provisioning = ProvisioningStatus.NotStarted, Version = 1, CreatedAt = T0.AddMinutes(2), UpdatedAt = T0.AddMinutes(2),
            RequestHash = "hash-p", History = [new(T0.AddMinutes(2), "admin@example.com", "created", null, "pending", null)],
        };
        var jobId = Guid.NewGuid();
        var job = new JobState
        {
            Id = jobId, TenantId = Tenant, Type = JobTypes.DiagnosticsSleep, Parameters = """{"steps":2,"step_ms":1}""", Status = JobStatus.Completed,
            Attempts = 1, MaxAttempts = 3, Processed = 2, Total = 2, Result = """{"slept_ms":2}""", CreatedAt = T0, StartedAt = T0.AddSeconds(1),
            HeartbeatAt = T0.AddSeconds(2), CompletedAt = T0.AddSeconds(3), RequestHash = "job-hash", CreatedBy = "admin@example.com",
        };
        var scheduleId = Guid.NewGuid();
        var schedule = new ScheduleState
        {
            Id = scheduleId, TenantId = Tenant, Name = "nightly", Cron = "0 3 * * *", TimeZone = "UTC", JobType = JobTypes.DiagnosticsSleep,
            Parameters = """{"steps":1}""", MissedPolicy = MissedRunPolicy.RunOnce, MaxCatchUp = 7, OverlapPolicy = OverlapPolicy.Skip, Paused = true,
            LastRunAt = T0, LastJobId = jobId, CreatedAt = T0, UpdatedAt = T0, CreatedBy = "admin@example.com",
        };

        // Rows as the previous release's storage wrote them: the state as System.Text.Json in grain_state.
        var n0 = 1L;
        async Task Store<T>(string stateName, T state, string? extension, int version) =>
            await db.ScalarAsync<int>(
                """
                INSERT INTO grain_state (serviceid, graintypestring, grainidn0, grainidn1, grainidextension, grainidhash, graintypehash, payload, version)
                VALUES ('actors', @type, @n0, 0, @ext, 0, 0, @payload::jsonb, @version)
                """,
                ("type", stateName), ("n0", n0++), ("ext", (object?)extension ?? DBNull.Value),
                ("payload", JsonSerializer.Serialize(state, ActorsJson.Options)), ("version", version));
        await Store("tenant", tenant, null, 9);
        await Store("user", user, null, 4);
        await Store("candidate", approved, Tenant, 2);
        await Store("candidate", pending, Tenant, 1);
        await Store("job", job, Tenant, 5);
        await Store("schedule", schedule, Tenant, 3);

        await runner.MigrateAsync();

        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM grain_state"));
        Assert.Equal("approved=1 pending=1", await db.ScalarAsync<string>(
            "SELECT string_agg(key || '=' || n, ' ' ORDER BY key) FROM counters WHERE tenant_id = @t AND kind = 'candidate.status'", ("t", Tenant)));
        // The settings operators read hold no password; it has its own column.
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM tenants WHERE settings::text LIKE '%s3cret%'"));

        var cluster = await ActorsCluster.StartAsync(db, silos: 1);
        try
        {
            var grains = cluster.Client;
            var servedTenant = await grains.GetGrain<ITenantGrain>(GrainKeys.Tenant(Tenant)).GetAsync();
            Assert.NotNull(servedTenant);
            Assert.Equal(new TenantInfo(Tenant, "Upgraded Ltd", TenantStatus.Active, tenant.Settings, T0, T0.AddMinutes(5), 4), servedTenant);
            Assert.Equal("s3cret-pw", servedTenant.Settings.Smtp.Password);
            // The silo's start encrypted the plain-text password the previous release had stored.
            Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM tenants t WHERE t::text LIKE '%s3cret-pw%'"));

            var login = await grains.GetGrain<IUserGrain>(GrainKeys.User(user.Email)).LoginAsync("old-password-1");
            Assert.Equal(LoginResult.Succeeded, login.Result);
            Assert.Equal(3, login.User!.TokenVersion);
            Assert.Equal(UserRole.Reviewer, login.User.Role);
            Assert.Equal(LoginResult.InvalidCredentials, (await grains.GetGrain<IUserGrain>(GrainKeys.User(user.Email)).LoginAsync("wrong-password")).Result);

            var servedApproved = await grains.GetGrain<ICandidateGrain>(approvedId, Tenant).GetAsync();
            Assert.NotNull(servedApproved);
            Assert.Equal(("Old Approved Co", "a@old.example", "+44 20 7946 0000", "lending,payments", CandidateStatus.Approved, 2L, "rev@example.com", T0.AddMinutes(1), T0),
                (servedApproved.CompanyName, servedApproved.ContactEmail, servedApproved.ContactPhone, string.Join(',', servedApproved.Products),
                 servedApproved.Status, servedApproved.Version, servedApproved.DecidedBy, servedApproved.DecidedAt!.Value, servedApproved.CreatedAt));
            Assert.Equal(approved.History, await grains.GetGrain<ICandidateGrain>(approvedId, Tenant).GetHistoryAsync());
            // The decision's Idempotency-Key survived: a replay answers the first result, not a 409.
            Assert.Equal(2L, (await grains.GetGrain<ICandidateGrain>(approvedId, Tenant).ApproveAsync("rev@example.com", "decide-1", provision: false)).Version);

            // A migrated candidate keeps working: its next change appends after the stored history.
            var rejected = await grains.GetGrain<ICandidateGrain>(pendingId, Tenant).RejectAsync("rev@example.com", "duplicate", null);
            Assert.Equal((CandidateStatus.Rejected, 2L), (rejected.Status, rejected.Version));
            Assert.Equal(["created", "rejected"], (await grains.GetGrain<ICandidateGrain>(pendingId, Tenant).GetHistoryAsync()).Select(h => h.Action));
            Assert.Equal("approved=1 rejected=1", await db.ScalarAsync<string>(
                "SELECT string_agg(key || '=' || n, ' ' ORDER BY key) FROM (SELECT key, sum(n) n FROM counters WHERE tenant_id = @t AND kind = 'candidate.status' GROUP BY key) c WHERE n <> 0",
                ("t", Tenant)));

            var servedJob = await grains.GetGrain<IJobGrain>(jobId, Tenant).GetAsync();
            Assert.NotNull(servedJob);
            Assert.Equal((JobStatus.Completed, """{"steps":2,"step_ms":1}""", """{"slept_ms":2}""", 1, 3, 2L, T0.AddSeconds(3)),
                (servedJob.Status, servedJob.ParametersJson, servedJob.ResultJson, servedJob.Attempts, servedJob.MaxAttempts, servedJob.Processed, servedJob.CompletedAt!.Value));

            var servedSchedule = await grains.GetGrain<IScheduleGrain>(scheduleId, Tenant).GetAsync();
            Assert.NotNull(servedSchedule);
            Assert.Equal(new ScheduleDefinition("nightly", "0 3 * * *", "UTC", JobTypes.DiagnosticsSleep, """{"steps":1}""", MissedRunPolicy.RunOnce, 7, OverlapPolicy.Skip),
                servedSchedule.Definition);
            Assert.Equal((true, T0, jobId), (servedSchedule.Paused, servedSchedule.LastRunAt!.Value, servedSchedule.LastJobId!.Value));
        }
        finally
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
        }
    }
}
