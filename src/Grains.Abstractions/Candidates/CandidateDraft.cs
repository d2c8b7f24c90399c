namespace Actors.Contracts.Candidates;

[GenerateSerializer, Alias("Actors.CandidateDraft")]
public sealed record CandidateDraft(
    [property: Id(0)] string CompanyName,
    [property: Id(1)] string ContactEmail,
    [property: Id(2)] string? ContactPhone,
    [property: Id(3)] IReadOnlyList<string> Products,
    [property: Id(4)] string RequestHash,
    [property: Id(5)] string Actor);
