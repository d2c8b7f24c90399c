namespace Actors.Grains.Schedules;

/// <summary>A cron schedule that submits a job at each occurrence; keyed like jobs (id + tenant).</summary>
[Alias("Actors.IScheduleGrain")]
public interface IScheduleGrain : IGrainWithGuidCompoundKey
{
    [Alias("Get"), Orleans.Concurrency.ReadOnly] Task<ScheduleInfo?> GetAsync();

    [Alias("Create")] Task<ScheduleInfo> CreateAsync(ScheduleDefinition definition, string actor);

    [Alias("Update")] Task<ScheduleInfo> UpdateAsync(ScheduleDefinition definition, string actor);

    [Alias("Delete")] Task DeleteAsync();

    [Alias("SetPaused")] Task<ScheduleInfo> SetPausedAsync(bool paused);

    /// <summary>Submits one run now, outside the cron times; answers the job id.</summary>
    [Alias("Trigger")] Task<Guid> TriggerAsync(string actor);

    /// <summary>What the reminder does: submits the due runs since the last one, by policy. Idempotent.</summary>
    [Alias("Tick")] Task<int> TickAsync();
}

[GenerateSerializer, Alias("Actors.MissedRunPolicy")]
public enum MissedRunPolicy
{
    /// <summary>Runs missed while the cluster was down are dropped; only an on-time run fires.</summary>
    Skip = 0,
    /// <summary>One run for all the missed ones.</summary>
    RunOnce = 1,
    /// <summary>Every missed run, up to the schedule's cap.</summary>
    RunAll = 2,
}

[GenerateSerializer, Alias("Actors.OverlapPolicy")]
public enum OverlapPolicy
{
    /// <summary>No new run while the previous one is queued or processing.</summary>
    Skip = 0,
    Allow = 1,
}

[GenerateSerializer, Alias("Actors.ScheduleDefinition")]
public sealed record ScheduleDefinition(
    [property: Id(0)] string Name,
    [property: Id(1)] string Cron,
    [property: Id(2)] string TimeZone,
    [property: Id(3)] string JobType,
    [property: Id(4)] string ParametersJson,
    [property: Id(5)] MissedRunPolicy MissedPolicy,
    [property: Id(6)] int MaxCatchUp,
    [property: Id(7)] OverlapPolicy OverlapPolicy);

[GenerateSerializer, Alias("Actors.ScheduleInfo")]
public sealed record ScheduleInfo(
    [property: Id(0)] Guid Id,
    [property: Id(1)] string TenantId,
    [property: Id(2)] ScheduleDefinition Definition,
    [property: Id(3)] bool Paused,
    [property: Id(4)] DateTimeOffset? LastRunAt,
    [property: Id(5)] DateTimeOffset? NextRunAt,
    [property: Id(6)] Guid? LastJobId,
    [property: Id(7)] DateTimeOffset CreatedAt,
    [property: Id(8)] DateTimeOffset UpdatedAt);
