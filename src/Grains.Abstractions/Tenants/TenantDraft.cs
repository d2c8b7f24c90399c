namespace Actors.Contracts.Tenants;

[GenerateSerializer, Alias("Actors.TenantDraft")]
public sealed record TenantDraft(
    [property: Id(0)] string Name,
    [property: Id(1)] TenantSettings Settings);
