namespace Actors.Contracts.Jobs;

/// <summary>
/// The per-tenant dispatcher: the only place that starts the tenant's jobs, in order, while the tenant
/// has free slots. It keeps its queue and its running set in memory and rebuilds them from the
/// <c>jobs</c> table when it activates and at every sweep.
/// </summary>
[Alias("Actors.IJobDispatcherGrain")]
public interface IJobDispatcherGrain : IGrainWithStringKey
{
    /// <summary>A job was stored as queued (submitted, retried, back from a stopped run).</summary>
    [Alias("Queued"), Orleans.Concurrency.OneWay] Task QueuedAsync(Guid jobId);

    /// <summary>Jobs were stored as queued together (a batch), in this order.</summary>
    [Alias("QueuedMany"), Orleans.Concurrency.OneWay] Task QueuedManyAsync(Guid[] jobIds);

    /// <summary>A job left processing (it ended, or went back to the queue): its slot is free.</summary>
    [Alias("Ended"), Orleans.Concurrency.OneWay] Task EndedAsync(Guid jobId);

    /// <summary>Something outside the queue changed (the tenant's settings or status): look again.</summary>
    [Alias("Notify"), Orleans.Concurrency.OneWay] Task NotifyAsync();

    /// <summary>
    /// The durable wake-up's work (<see cref="IJobSweeperGrain"/>): counts the running jobs again from the
    /// table, asks every processing job whose heartbeat stopped to check itself, and starts what is queued
    /// and due. Idempotent. Answers how many jobs it started.
    /// </summary>
    [Alias("Sweep")] Task<int> SweepAsync();
}
