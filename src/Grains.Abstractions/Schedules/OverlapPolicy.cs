namespace Actors.Contracts.Schedules;

[GenerateSerializer, Alias("Actors.OverlapPolicy")]
public enum OverlapPolicy
{
    /// <summary>No new run while the previous one is queued or processing.</summary>
    Skip = 0,
    Allow = 1,
}
