namespace Actors.Contracts.Candidates;

[GenerateSerializer, Alias("Actors.CandidatePatch")]
public sealed record CandidatePatch
{
    [Id(0)] public string? CompanyName { get; init; }
    [Id(1)] public string? ContactEmail { get; init; }
    [Id(2)] public string? ContactPhone { get; init; }
    [Id(3)] public IReadOnlyList<string>? Products { get; init; }
}
