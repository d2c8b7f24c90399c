namespace Actors.Contracts.Candidates;

[GenerateSerializer, Alias("Actors.CandidateStatus")]
public enum CandidateStatus
{
    Pending = 0,
    Approved = 1,
    Rejected = 2,
}
