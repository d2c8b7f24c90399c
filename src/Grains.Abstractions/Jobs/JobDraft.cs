namespace Actors.Contracts.Jobs;

[GenerateSerializer, Alias("Actors.JobDraft")]
public sealed record JobDraft(
    [property: Id(0)] string Type,
    [property: Id(1)] string ParametersJson,
    [property: Id(2)] int? MaxAttempts,
    [property: Id(3)] string RequestHash,
    [property: Id(4)] string Actor,
    [property: Id(5)] Guid? ScheduleId);
