namespace Actors.Contracts.Schedules;

[GenerateSerializer, Alias("Actors.ScheduleDefinition")]
public sealed record ScheduleDefinition(
    [property: Id(0)] string Name,
    [property: Id(1)] string Cron,
    [property: Id(2)] string TimeZone,
    [property: Id(3)] string JobType,
    [property: Id(4)] string ParametersJson,
    [property: Id(5)] MissedRunPolicy MissedPolicy,
    [property: Id(6)] int MaxCatchUp,
    [property: Id(7)] OverlapPolicy OverlapPolicy);
