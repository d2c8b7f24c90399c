namespace Actors.Contracts.Jobs;

[GenerateSerializer, Alias("Actors.JobStatus")]
public enum JobStatus
{
    Queued = 0,
    Processing = 1,
    Completed = 2,
    Failed = 3,
    Cancelled = 4,
}
