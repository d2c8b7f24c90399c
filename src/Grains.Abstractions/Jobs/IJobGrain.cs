namespace Actors.Contracts.Jobs;

/// <summary>
/// One background job, keyed by its id with the tenant as key extension: a job id asked for in
/// another tenant is a different, empty grain, so it reads as absent.
/// </summary>
[Alias("Actors.IJobGrain")]
public interface IJobGrain : IGrainWithGuidCompoundKey
{
    /// <summary>The job, or null when it was never submitted (or was removed by retention).</summary>
    [Alias("Get"), Orleans.Concurrency.ReadOnly] Task<JobInfo?> GetAsync();

    /// <summary>
    /// Queues the job. Submitting again with the same request hash answers the existing job
    /// (<see cref="JobInfo.Existing"/>); with another request hash it is refused (idempotency key reused).
    /// </summary>
    // Safe to retry: the API picks the id (from the Idempotency-Key, or a fresh one) before the call.
    [Alias("Submit"), SafeToRetry] Task<JobInfo> SubmitAsync(JobDraft draft);

    /// <summary>A queued job never starts; a running one is told through its cancellation token.</summary>
    [Alias("Cancel")] Task<JobInfo> CancelAsync(string actor);

    /// <summary>A failed or cancelled job goes back to the queue with its attempts reset.</summary>
    [Alias("Retry")] Task<JobInfo> RetryAsync(string actor);

    /// <summary>Called by the tenant's dispatcher: starts the job if it is queued and due. Idempotent.</summary>
    [Alias("Start")] Task<bool> StartAsync();

    /// <summary>
    /// Called by the dispatcher's sweep for a processing job whose heartbeat is old: if no run of it is
    /// alive here (its silo died), the stuck policy retries or fails it. Idempotent.
    /// </summary>
    [Alias("Check")] Task CheckAsync();

    /// <summary>Called by the job's own run when the handler returns (internal).</summary>
    [Alias("Finish")] Task FinishAsync(JobOutcome outcome);
}
