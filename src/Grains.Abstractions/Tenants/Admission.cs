namespace Actors.Contracts.Tenants;

[GenerateSerializer, Alias("Actors.Admission")]
public sealed record Admission(
    [property: Id(0)] AdmissionResult Result,
    [property: Id(1)] double RetryAfterSeconds,
    [property: Id(2)] int Granted = 1)
{
    public static readonly Admission Admitted = new(AdmissionResult.Admitted, 0);
    public static readonly Admission NotFound = new(AdmissionResult.NotFound, 0);
    public static readonly Admission Suspended = new(AdmissionResult.Suspended, 0);
}
