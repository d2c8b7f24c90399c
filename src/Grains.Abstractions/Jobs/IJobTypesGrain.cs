namespace Actors.Contracts.Jobs;

/// <summary>A job type the silos run: its name, and whether clients may submit and schedule it.</summary>
[GenerateSerializer, Alias("Actors.JobTypeInfo")]
public sealed record JobTypeInfo([property: Id(0)] string Type, [property: Id(1)] bool ClientSubmittable);

/// <summary>The job handlers registered in the silo that answers: what the API accepts in POST /jobs and /schedules.</summary>
[Alias("Actors.IJobTypesGrain")]
public interface IJobTypesGrain : IGrainWithIntegerKey
{
    [Alias("List"), Orleans.Concurrency.ReadOnly] Task<IReadOnlyList<JobTypeInfo>> ListAsync();
}
