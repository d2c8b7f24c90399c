namespace Actors.Contracts.Tenants;

[GenerateSerializer, Alias("Actors.AdmissionResult")]
public enum AdmissionResult
{
    Admitted = 0,
    NotFound = 1,
    Suspended = 2,
    RateLimited = 3,
}
