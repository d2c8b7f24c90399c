namespace Actors.Grains.Candidates;

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

    [Alias("Approve")] Task<CandidateInfo> ApproveAsync(string actor, string? idempotencyKey);

    [Alias("Reject")] Task<CandidateInfo> RejectAsync(string actor, string reason, string? idempotencyKey);

    [Alias("History"), Orleans.Concurrency.ReadOnly] Task<IReadOnlyList<CandidateHistoryEntry>> GetHistoryAsync();

    /// <summary>Called by the billing.provision job.</summary>
    [Alias("SetProvisioning")] Task<CandidateInfo> SetProvisioningAsync(ProvisioningStatus status, string? providerId, string? error);

    /// <summary>Submits (or re-submits) the provisioning job of an approved candidate.</summary>
    [Alias("Provision")] Task<CandidateInfo> ProvisionAsync(string actor);
}

[GenerateSerializer, Alias("Actors.CandidateStatus")]
public enum CandidateStatus
{
    Pending = 0,
    Approved = 1,
    Rejected = 2,
}

[GenerateSerializer, Alias("Actors.ProvisioningStatus")]
public enum ProvisioningStatus
{
    NotStarted = 0,
    Pending = 1,
    Provisioned = 2,
    Failed = 3,
}

[GenerateSerializer, Alias("Actors.CandidateDraft")]
public sealed record CandidateDraft(
    [property: Id(0)] string CompanyName,
    [property: Id(1)] string ContactEmail,
    [property: Id(2)] string? ContactPhone,
    [property: Id(3)] IReadOnlyList<string> Products,
    [property: Id(4)] string RequestHash,
    [property: Id(5)] string Actor);

[GenerateSerializer, Alias("Actors.CandidatePatch")]
public sealed record CandidatePatch
{
    [Id(0)] public string? CompanyName { get; init; }
    [Id(1)] public string? ContactEmail { get; init; }
    [Id(2)] public string? ContactPhone { get; init; }
    [Id(3)] public IReadOnlyList<string>? Products { get; init; }
}

[GenerateSerializer, Alias("Actors.CandidateHistoryEntry")]
public sealed record CandidateHistoryEntry(
    [property: Id(0)] DateTimeOffset At,
    [property: Id(1)] string Actor,
    [property: Id(2)] string Action,
    [property: Id(3)] string? From,
    [property: Id(4)] string To,
    [property: Id(5)] string? Note);

[GenerateSerializer, Alias("Actors.CandidateInfo")]
public sealed record CandidateInfo
{
    [Id(0)] public Guid Id { get; init; }
    [Id(1)] public string TenantId { get; init; } = "";
    [Id(2)] public string CompanyName { get; init; } = "";
    [Id(3)] public string ContactEmail { get; init; } = "";
    [Id(4)] public string? ContactPhone { get; init; }
    [Id(5)] public IReadOnlyList<string> Products { get; init; } = [];
    [Id(6)] public CandidateStatus Status { get; init; }
    [Id(7)] public ProvisioningStatus Provisioning { get; init; }
    [Id(8)] public string? ProviderId { get; init; }
    [Id(9)] public long Version { get; init; }
    [Id(10)] public DateTimeOffset CreatedAt { get; init; }
    [Id(11)] public DateTimeOffset UpdatedAt { get; init; }
    [Id(12)] public string? DecidedBy { get; init; }
    [Id(13)] public DateTimeOffset? DecidedAt { get; init; }
    [Id(14)] public string? RejectionReason { get; init; }
    [Id(15)] public string? ProvisioningError { get; init; }
    /// <summary>True when a create found the candidate already there (same idempotency key).</summary>
    [Id(16)] public bool Existing { get; init; }
}

/// <summary>Field rules shared by the API, the import job and the grain.</summary>
public static class CandidateRules
{
    public const int MaxCompanyName = 200;
    public const int MaxProducts = 50;
    public const int MaxProductLength = 100;
    public const int MaxReason = 1000;

    public static Dictionary<string, string[]> Validate(string? companyName, string? email, string? phone, IReadOnlyList<string?>? products, bool partial = false)
    {
        var errors = new Dictionary<string, string[]>();
        if (!partial || companyName is not null)
        {
            if (string.IsNullOrWhiteSpace(companyName)) errors["company_name"] = ["is required"];
            else if (companyName.Length > MaxCompanyName || HasControl(companyName)) errors["company_name"] = [$"must be 1 to {MaxCompanyName} characters without control characters"];
        }
        if (!partial || email is not null)
        {
            if (string.IsNullOrWhiteSpace(email)) errors["contact_email"] = ["is required"];
            else if (!EmailAddress.IsValid(email)) errors["contact_email"] = ["must be an email address"];
        }
        if (phone is not null && (phone.Length > 40 || !phone.All(c => char.IsDigit(c) || c is '+' or ' ' or '-' or '(' or ')' or '.')))
        {
            errors["contact_phone"] = ["must be up to 40 digits, spaces and + - ( ) ."];
        }
        if (products is not null)
        {
            if (products.Count > MaxProducts) errors["products"] = [$"must have at most {MaxProducts} items"];
            else if (products.Any(p => string.IsNullOrWhiteSpace(p) || p.Length > MaxProductLength || HasControl(p)))
                errors["products"] = [$"each product must be 1 to {MaxProductLength} characters"];
        }
        return errors;
    }

    private static bool HasControl(string value) => value.Any(char.IsControl);

    public static IReadOnlyList<string> Normalize(IEnumerable<string?>? products) =>
        (products ?? []).Where(p => p is not null).Select(p => p!.Trim()).Distinct(StringComparer.Ordinal).ToList();
}
