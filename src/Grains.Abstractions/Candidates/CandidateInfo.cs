namespace Actors.Contracts.Candidates;

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
