namespace Actors.Contracts.Jobs;

/// <summary>An item's job (<see cref="Existing"/> for a replay) or the domain error that refused it.</summary>
[GenerateSerializer, Alias("Actors.JobIntakeOutcome")]
public sealed record JobIntakeOutcome(
    [property: Id(0)] Guid Id,
    [property: Id(1)] JobStatus Status,
    [property: Id(2)] bool Existing,
    [property: Id(3)] ActorsException? Error);
