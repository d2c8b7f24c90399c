namespace Actors.Contracts.Tenants;

/// <summary>A partial update: null members are left as they are.</summary>
[GenerateSerializer, Alias("Actors.TenantPatch")]
public sealed record TenantPatch
{
    [Id(0)] public string? Name { get; init; }
    [Id(1)] public int? MaxConcurrentJobs { get; init; }
    [Id(2)] public int? RequestsPerSecond { get; init; }
    [Id(3)] public string? BillingServiceUrl { get; init; }
    [Id(4)] public SmtpSettings? Smtp { get; init; }
    [Id(5)] public int? MaxCandidates { get; init; }
    [Id(6)] public int? MaxSchedules { get; init; }
    [Id(7)] public int? MaxActiveJobs { get; init; }
}
