namespace Actors.Contracts.Candidates;

/// <summary>
/// One provider registration, keyed by its id with the tenant as key extension (another tenant's
/// id is a different, empty grain). Requests are served one at a time: no version checks, no
/// "modified by another process".
/// </summary>
[Alias("Actors.ICandidateGrain")]
public interface ICandidateGrain : IGrainWithGuidCompoundKey
{
    [Alias("Get"), Orleans.Concurrency.ReadOnly] Task<CandidateInfo?> GetAsync();

    /// <summary>Creates it; the same request hash again answers the existing one, another is refused.</summary>
    // Safe to retry: the API picks the id (from the Idempotency-Key, or a fresh one) before the call.
    [Alias("Create"), SafeToRetry] Task<CandidateInfo> CreateAsync(CandidateDraft draft);

    /// <summary>Changes a pending candidate; <paramref name="expectedVersion"/> (If-Match) must match if given.</summary>
    [Alias("Update")] Task<CandidateInfo> UpdateAsync(CandidatePatch patch, long? expectedVersion, string actor);

    /// <summary>
    /// Approves a pending candidate. <paramref name="provision"/>: the tenant has a billing service (as
    /// the caller read its settings), so provisioning follows as a job; its handler reads the URL again
    /// and skips a tenant that has none by then.
    /// </summary>
    [Alias("ApproveThenProvision")] Task<CandidateInfo> ApproveAsync(string actor, string? idempotencyKey, bool provision);

    [Alias("Reject")] Task<CandidateInfo> RejectAsync(string actor, string reason, string? idempotencyKey);

    [Alias("History"), Orleans.Concurrency.ReadOnly] Task<IReadOnlyList<CandidateHistoryEntry>> GetHistoryAsync();

    /// <summary>Called by the billing.provision job.</summary>
    [Alias("SetProvisioning")] Task<CandidateInfo> SetProvisioningAsync(ProvisioningStatus status, string? providerId, string? error);

    /// <summary>Submits (or re-submits) the provisioning job of an approved candidate.</summary>
    [Alias("Provision")] Task<CandidateInfo> ProvisionAsync(string actor);
}
