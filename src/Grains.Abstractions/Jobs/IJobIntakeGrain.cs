namespace Actors.Contracts.Jobs;

/// <summary>
/// Queues many jobs of one tenant at once (<c>POST /jobs/batch</c>): one statement stores them all,
/// one message tells the dispatcher; each job's grain activates when its job starts.
/// A stateless worker, so each silo serves batches locally.
/// </summary>
[Alias("Actors.IJobIntakeGrain")]
public interface IJobIntakeGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// Validates each item by its type's handler and stores the valid ones as queued, in order. An item
    /// whose id is already stored answers that job when its request hash matches (a replay) and
    /// <c>idempotency_key_reused</c> when not. New items past <paramref name="room"/> are refused
    /// <c>limit_exceeded</c> (<paramref name="limit"/> is named in the message). Answers one outcome per item.
    /// </summary>
    // Safe to retry: the API picks every id before the call, and a repeated item answers as a replay.
    [Alias("Submit"), SafeToRetry]
    Task<IReadOnlyList<JobIntakeOutcome>> SubmitAsync(string tenantId, IReadOnlyList<JobIntakeItem> items, int room, int limit);
}
