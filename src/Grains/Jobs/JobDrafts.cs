using Actors.Contracts.Jobs;
using Actors.Contracts;
using System.Text.Json;

namespace Actors.Grains.Jobs;

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
