namespace Actors.Contracts.Candidates;

[GenerateSerializer, Alias("Actors.CandidateHistoryEntry")]
public sealed record CandidateHistoryEntry(
    [property: Id(0)] DateTimeOffset At,
    [property: Id(1)] string Actor,
    [property: Id(2)] string Action,
    [property: Id(3)] string? From,
    [property: Id(4)] string To,
    [property: Id(5)] string? Note);
