namespace Actors.Contracts.Jobs;

[GenerateSerializer, Alias("Actors.JobIntakeItem")]
public sealed record JobIntakeItem([property: Id(0)] Guid Id, [property: Id(1)] JobDraft Draft, [property: Id(2)] bool Keyed);
