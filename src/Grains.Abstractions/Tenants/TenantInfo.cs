namespace Actors.Contracts.Tenants;

[GenerateSerializer, Alias("Actors.TenantInfo")]
public sealed record TenantInfo(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] TenantStatus Status,
    [property: Id(3)] TenantSettings Settings,
    [property: Id(4)] DateTimeOffset CreatedAt,
    [property: Id(5)] DateTimeOffset UpdatedAt,
    [property: Id(6)] long Version)
{
    public bool IsActive => Status == TenantStatus.Active;
}
