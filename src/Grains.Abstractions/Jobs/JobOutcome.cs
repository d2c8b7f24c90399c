namespace Actors.Contracts.Jobs;

[GenerateSerializer, Alias("Actors.JobOutcome")]
public sealed record JobOutcome(
    [property: Id(0)] JobOutcomeKind Kind,
    [property: Id(1)] string? ResultJson,
    [property: Id(2)] string? ErrorCode,
    [property: Id(3)] string? ErrorMessage,
    [property: Id(4)] bool Retryable,
    [property: Id(5)] int RunId);
