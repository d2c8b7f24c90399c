namespace Actors.Contracts.Jobs;

/// <summary>
/// One for the cluster: its reminder is the durable wake-up of the job engine (one reminder row, not
/// one per job). Each tick sweeps the dispatcher of every tenant with unfinished jobs.
/// </summary>
[Alias("Actors.IJobSweeperGrain")]
public interface IJobSweeperGrain : IGrainWithStringKey
{
    /// <summary>Makes sure the reminder exists (every silo calls it at start; idempotent).</summary>
    [Alias("Ensure")] Task EnsureScheduledAsync();

    /// <summary>One sweep now; answers how many tenants it swept.</summary>
    [Alias("Run")] Task<int> RunAsync();
}
