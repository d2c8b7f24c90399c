using Actors.Contracts.Jobs;
using System.Text.Json;

namespace Actors.Grains.Jobs;

/// <summary>
/// Runs one job type. A class implementing it in the Grains assembly is a job type: the silo registers
/// it (<see cref="JobHandlerRegistry"/>), and the API accepts its <see cref="Type"/> in POST /jobs and
/// /schedules (through <see cref="IJobTypesGrain"/>) unless <see cref="ClientSubmittable"/> is false.
/// </summary>
public interface IJobHandler
{
    string Type { get; }

    /// <summary>False for a type that only the system submits (billing.provision: by approving a candidate).</summary>
    bool ClientSubmittable => true;

    /// <summary>A run longer than this is cancelled and counted as a timed-out attempt.</summary>
    TimeSpan Timeout { get; }

    int DefaultMaxAttempts { get; }

    /// <summary>Checks parameters at submission; answers field errors (empty when valid).</summary>
    IReadOnlyDictionary<string, string[]> Validate(JsonElement parameters);

    /// <summary>Does the work. Throw <see cref="JobFailedException"/> for a failure with a stable code.</summary>
    Task<object?> RunAsync(JobRun run, CancellationToken cancellationToken);
}
