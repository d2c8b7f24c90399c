namespace Actors.Contracts.Tenants;

[GenerateSerializer, Alias("Actors.TenantStatus")]
public enum TenantStatus
{
    Active = 0,
    Suspended = 1,
}
