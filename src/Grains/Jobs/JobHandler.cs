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

/// <summary>The checks a submission passes, whether through its grain or in a batch.</summary>
public static class JobDrafts
{
    /// <summary>Answers the error that refuses <paramref name="draft"/> (unknown type, invalid parameters), or null.</summary>
    public static ActorsException? Refusal(IEnumerable<IJobHandler> handlers, JobDraft draft, out IJobHandler? handler)
    {
        handler = handlers.FirstOrDefault(h => h.Type == draft.Type);
        if (handler is null)
        {
            return ActorsException.Invalid("type", $"unknown job type '{draft.Type}'");
        }
        using var parameters = JsonDocument.Parse(draft.ParametersJson);
        return handler.Validate(parameters.RootElement) is { Count: > 0 } errors
            ? new ActorsException(ErrorCodes.Validation, "The job parameters are invalid.", errors)
            : null;
    }

    /// <summary>A submission whose id is stored with another request hash.</summary>
    public static ActorsException KeyReused() =>
        new(ErrorCodes.IdempotencyKeyReused, "This Idempotency-Key was used for a different job request.");
}

/// <summary>What a handler knows about the run it serves.</summary>
public sealed class JobRun(Guid jobId, string tenantId, int attempt, int maxAttempts, JsonElement parameters, IGrainFactory grains)
{
    private long _processed;
    private long _total = -1;

    public Guid JobId => jobId;
    public string TenantId => tenantId;
    public int Attempt => attempt;
    public int MaxAttempts => maxAttempts;
    public bool IsLastAttempt => attempt >= maxAttempts;
    public JsonElement Parameters => parameters;
    public IGrainFactory Grains => grains;

    public long Processed => Interlocked.Read(ref _processed);
    public long? Total => Interlocked.Read(ref _total) is var t && t >= 0 ? t : null;

    /// <summary>Progress is published with the next heartbeat.</summary>
    public void ReportProgress(long processed, long? total = null)
    {
        Interlocked.Exchange(ref _processed, processed);
        if (total is { } value)
        {
            Interlocked.Exchange(ref _total, value);
        }
    }
}

/// <summary>A job failure with a stable code; <see cref="Retryable"/> false ends the job at once.</summary>
public sealed class JobFailedException(string code, string message, bool retryable = true) : Exception(message)
{
    public string Code { get; } = code;
    public bool Retryable { get; } = retryable;
}
