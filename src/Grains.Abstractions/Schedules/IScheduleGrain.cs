namespace Actors.Contracts.Schedules;

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
