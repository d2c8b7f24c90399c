namespace Actors.Contracts.Tenants;

/// <summary>One tenant, keyed by <see cref="GrainKeys.Tenant"/>. The cluster-wide authority for its limits.</summary>
[Alias("Actors.ITenantGrain")]
public interface ITenantGrain : IGrainWithStringKey
{
    /// <summary>The tenant, or null when it was never created.</summary>
    [Alias("Get"), SafeToRetry] Task<TenantInfo?> GetAsync();

    [Alias("Create")] Task<TenantInfo> CreateAsync(TenantDraft draft);

    [Alias("Update")] Task<TenantInfo> UpdateAsync(TenantPatch patch);

    [Alias("SetActive")] Task<TenantInfo> SetActiveAsync(bool active, string actor);

    /// <summary>
    /// Admits a batch of this tenant's requests at once, for an API process to spend locally for up to
    /// a second: <see cref="Admission.Granted"/> tokens (the requests waiting, or a twentieth of the
    /// request rate if more, as far as the bucket holds) are taken from the same bucket, so the rate
    /// holds across every API process. Refused when the tenant is missing or suspended, or when its
    /// request rate (a token bucket of <see cref="TenantSettings.RequestsPerSecond"/>) is spent.
    /// </summary>
    // Safe to retry: a repeated lease only spends more tokens of the request rate.
    [Alias("Lease"), SafeToRetry] Task<Admission> LeaseAsync(int waiting);
}
