namespace Actors.Contracts.Schedules;

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
