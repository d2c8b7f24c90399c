namespace Actors.Contracts.Schedules;

[GenerateSerializer, Alias("Actors.ScheduleInfo")]
public sealed record ScheduleInfo(
    [property: Id(0)] Guid Id,
    [property: Id(1)] string TenantId,
    [property: Id(2)] ScheduleDefinition Definition,
    [property: Id(3)] bool Paused,
    [property: Id(4)] DateTimeOffset? LastRunAt,
    [property: Id(5)] DateTimeOffset? NextRunAt,
    [property: Id(6)] Guid? LastJobId,
    [property: Id(7)] DateTimeOffset CreatedAt,
    [property: Id(8)] DateTimeOffset UpdatedAt);
