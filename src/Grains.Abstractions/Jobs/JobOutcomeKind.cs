namespace Actors.Contracts.Jobs;

[GenerateSerializer, Alias("Actors.JobOutcomeKind")]
public enum JobOutcomeKind
{
    Succeeded = 0,
    Failed = 1,
    Cancelled = 2,
    TimedOut = 3,
}
