using Actors.Grains.Storage;
using Actors.Contracts.Schedules;
using Actors.Contracts;
using Actors.Contracts.Jobs;
using Actors.Grains.Jobs;
using Microsoft.Extensions.Options;
using Actors.Data.Schedules;

namespace Actors.Grains.Schedules;

public sealed class ScheduleGrain(
    [PersistentState("schedule", Storage.DomainGrainStorage.Name)] IPersistentState<ScheduleState> state,
    IOptions<ScheduleOptions> options,
    IEnumerable<IJobHandler> handlers,
    TimeProvider clock) : Grain, IScheduleGrain, IRemindable
{
    private const string Tick = "schedule-tick";
    private bool Exists => state.RecordExists && state.State.Id != Guid.Empty && !state.State.Deleted;
    private ScheduleState S => state.State;

    public Task<ScheduleInfo?> GetAsync() => Task.FromResult(Exists ? ToInfo() : null);

    public async Task<ScheduleInfo> CreateAsync(ScheduleDefinition definition, string actor)
    {
        if (Exists)
        {
            throw ActorsException.Conflict("Schedule already exists.");
        }
        ValidateJob(definition);
        var id = this.GetPrimaryKey(out var tenant);
        var now = clock.GetUtcNow();
        state.State = new ScheduleState { Id = id, TenantId = tenant!, CreatedAt = now, CreatedBy = actor, LastRunAt = now };
        Apply(definition);
        await SaveAsync();
        await this.RegisterOrUpdateReminder(Tick, options.Value.TickPeriod, options.Value.TickPeriod);
        return ToInfo();
    }

    public async Task<ScheduleInfo> UpdateAsync(ScheduleDefinition definition, string actor)
    {
        EnsureExists();
        ValidateJob(definition);
        Apply(definition);
        await SaveAsync();
        return ToInfo();
    }

    /// <summary>The job's parameters are checked by its handler now, not at every run: a bad schedule is a 400, not a stream of failed runs.</summary>
    private void ValidateJob(ScheduleDefinition definition)
    {
        if (JobDrafts.Refusal(handlers, definition.JobType, definition.ParametersJson, "job.", out _) is { } refusal)
        {
            throw refusal;
        }
    }

    public async Task DeleteAsync()
    {
        EnsureExists();
        S.Deleted = true;
        await SaveAsync();
        if (await this.GetReminder(Tick) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    public async Task<ScheduleInfo> SetPausedAsync(bool paused)
    {
        EnsureExists();
        if (S.Paused != paused)
        {
            S.Paused = paused;
            if (!paused)
            {
                // Resuming does not replay what was missed while paused.
                S.LastRunAt = clock.GetUtcNow();
            }
            await SaveAsync();
        }
        return ToInfo();
    }

    public async Task<Guid> TriggerAsync(string actor)
    {
        EnsureExists();
        return await SubmitAsync("manual:" + Guid.NewGuid().ToString("N"), actor);
    }

    public Task ReceiveReminder(string reminderName, TickStatus status) => TickAsync();

    public async Task<int> TickAsync()
    {
        if (!Exists || S.Paused)
        {
            return 0;
        }
        var now = clock.GetUtcNow();
        var (cron, zone) = ScheduleRules.Parse(S.Cron, S.TimeZone);
        var from = S.LastRunAt ?? S.CreatedAt;
        var due = cron.GetOccurrences(from.UtcDateTime, now.UtcDateTime, zone, fromInclusive: false, toInclusive: true)
            .Select(d => new DateTimeOffset(d, TimeSpan.Zero)).ToList();
        if (due.Count == 0)
        {
            return 0;
        }
        // An occurrence is on time when it falls within the last tick period (plus slack).
        var onTime = due.Where(d => now - d <= options.Value.TickPeriod * 2).ToList();
        var fire = S.MissedPolicy switch
        {
            MissedRunPolicy.RunAll => due.TakeLast(Math.Max(1, S.MaxCatchUp)).ToList(),
            MissedRunPolicy.RunOnce => [due[^1]],
            _ => onTime.Count > 0 ? [onTime[^1]] : [],
        };

        var submitted = 0;
        foreach (var occurrence in fire)
        {
            if (S.OverlapPolicy == OverlapPolicy.Skip && await PreviousStillRunningAsync())
            {
                break;
            }
            // The job id comes from the occurrence: a doubled tick submits the same job again, which is a no-op.
            await SubmitAsync("cron:" + occurrence.ToString("O"), "schedule");
            submitted++;
        }
        S.LastRunAt = due[^1];
        await SaveAsync();
        return submitted;
    }

    private async Task<bool> PreviousStillRunningAsync()
    {
        if (S.LastJobId is not { } last)
        {
            return false;
        }
        var job = await GrainFactory.GetGrain<IJobGrain>(last, S.TenantId).GetAsync();
        return job?.Status is JobStatus.Queued or JobStatus.Processing;
    }

    private async Task<Guid> SubmitAsync(string occurrence, string actor)
    {
        var id = StableId.Create("schedule", S.Id.ToString(), occurrence);
        await GrainFactory.GetGrain<IJobGrain>(id, S.TenantId)
            .SubmitAsync(new JobDraft(S.JobType, S.Parameters, null, "schedule:" + occurrence, actor, S.Id));
        S.LastJobId = id;
        return id;
    }

    private void Apply(ScheduleDefinition d)
    {
        S.Name = d.Name;
        S.Cron = d.Cron;
        S.TimeZone = d.TimeZone;
        S.JobType = d.JobType;
        S.Parameters = d.ParametersJson;
        S.MissedPolicy = d.MissedPolicy;
        S.MaxCatchUp = d.MaxCatchUp;
        S.OverlapPolicy = d.OverlapPolicy;
    }

    private async Task SaveAsync()
    {
        S.UpdatedAt = clock.GetUtcNow();
        await state.PersistAsync(this);
    }

    private void EnsureExists()
    {
        if (!Exists)
        {
            throw ActorsException.NotFound("Schedule");
        }
    }

    private ScheduleInfo ToInfo()
    {
        DateTimeOffset? next = null;
        var (cron, zone) = ScheduleRules.Parse(S.Cron, S.TimeZone);
        if (cron.GetNextOccurrence((S.LastRunAt ?? clock.GetUtcNow()).UtcDateTime, zone) is { } n)
        {
            next = new DateTimeOffset(n, TimeSpan.Zero);
        }
        return new ScheduleInfo(S.Id, S.TenantId,
            new ScheduleDefinition(S.Name, S.Cron, S.TimeZone, S.JobType, S.Parameters, S.MissedPolicy, S.MaxCatchUp, S.OverlapPolicy),
            S.Paused, S.LastRunAt, next, S.LastJobId, S.CreatedAt, S.UpdatedAt);
    }
}
