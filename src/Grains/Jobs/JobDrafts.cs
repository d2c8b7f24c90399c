using Actors.Contracts.Jobs;
using Actors.Contracts;
using System.Text.Json;

namespace Actors.Grains.Jobs;

/// <summary>The checks a submission passes, whether through its grain, in a batch, or as a schedule's job.</summary>
public static class JobDrafts
{
    /// <summary>Answers the error that refuses <paramref name="draft"/> (unknown type, invalid parameters), or null.</summary>
    public static ActorsException? Refusal(IEnumerable<IJobHandler> handlers, JobDraft draft, out IJobHandler? handler) =>
        Refusal(handlers, draft.Type, draft.ParametersJson, "", out handler);

    /// <summary>
    /// The same for a type and its parameters, the fields named after <paramref name="prefix"/>
    /// (<c>job.</c> for a schedule's job): the type's handler must exist and accept the parameters.
    /// </summary>
    public static ActorsException? Refusal(IEnumerable<IJobHandler> handlers, string type, string parametersJson, string prefix,
        out IJobHandler? handler)
    {
        handler = handlers.FirstOrDefault(h => h.Type == type);
        if (handler is null)
        {
            return ActorsException.Invalid(prefix + "type", $"unknown job type '{type}'");
        }
        using var parameters = JsonDocument.Parse(parametersJson);
        return handler.Validate(parameters.RootElement) is { Count: > 0 } errors
            ? new ActorsException(ErrorCodes.Validation, "The job parameters are invalid.",
                prefix.Length == 0 ? errors : errors.ToDictionary(e => prefix + e.Key, e => e.Value))
            : null;
    }

    /// <summary>A submission whose id is stored with another request hash.</summary>
    public static ActorsException KeyReused() =>
        new(ErrorCodes.IdempotencyKeyReused, "This Idempotency-Key was used for a different job request.");
}
