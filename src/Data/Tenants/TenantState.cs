using Actors.Contracts.Tenants;

namespace Actors.Data.Tenants;

/// <summary>Stored state of a tenant. Never reorder the [Id]s once stored.</summary>
[GenerateSerializer, Alias("Actors.TenantState")]
public sealed record TenantState
{
    [Id(0)] public string Slug { get; set; } = "";
    [Id(1)] public string Name { get; set; } = "";
    [Id(2)] public TenantStatus Status { get; set; }
    [Id(3)] public TenantSettings Settings { get; set; } = new();
    [Id(4)] public DateTimeOffset CreatedAt { get; set; }
    [Id(5)] public DateTimeOffset UpdatedAt { get; set; }
    [Id(6)] public long Version { get; set; }
    [Id(7)] public string? StatusChangedBy { get; set; }
}
