using Actors.Contracts.Candidates;

namespace Actors.Data.Candidates;

/// <summary>Stored state of a candidate. Never reorder the [Id]s once stored.</summary>
[GenerateSerializer, Alias("Actors.CandidateState")]
public sealed record CandidateState
{
    [Id(0)] public Guid Id { get; set; }
    [Id(1)] public string TenantId { get; set; } = "";
    [Id(2)] public string CompanyName { get; set; } = "";
    [Id(3)] public string ContactEmail { get; set; } = "";
    [Id(4)] public string? ContactPhone { get; set; }
    [Id(5)] public List<string> Products { get; set; } = [];
    [Id(6)] public CandidateStatus Status { get; set; }
    [Id(7)] public ProvisioningStatus Provisioning { get; set; }
    [Id(8)] public string? ProviderId { get; set; }
    [Id(9)] public long Version { get; set; }
    [Id(10)] public DateTimeOffset CreatedAt { get; set; }
    [Id(11)] public DateTimeOffset UpdatedAt { get; set; }
    [Id(12)] public string? DecidedBy { get; set; }
    [Id(13)] public DateTimeOffset? DecidedAt { get; set; }
    [Id(14)] public string? RejectionReason { get; set; }
    [Id(15)] public string? ProvisioningError { get; set; }
    [Id(16)] public string RequestHash { get; set; } = "";
    /// <summary>Idempotency-Key of the decision, so a repeated approve answers the first result.</summary>
    [Id(17)] public string? DecisionKey { get; set; }
    /// <summary>
    /// History entries the next write appends to <c>candidate_history</c> (the storage clears them once
    /// stored); the whole history is read from that table.
    /// </summary>
    [Id(18)] public List<CandidateHistoryEntry> History { get; set; } = [];
    /// <summary>How many history entries were stored before <see cref="History"/>'s first one.</summary>
    [Id(19)] public int HistoryFlushed { get; set; }
}
