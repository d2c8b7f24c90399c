namespace Actors.Contracts.Candidates;

[GenerateSerializer, Alias("Actors.ProvisioningStatus")]
public enum ProvisioningStatus
{
    NotStarted = 0,
    Pending = 1,
    Provisioned = 2,
    Failed = 3,
}
