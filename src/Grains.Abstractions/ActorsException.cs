namespace Actors.Contracts;

/// <summary>
/// A domain rule refused the request. Crosses the wire from grains to the API, which turns
/// <see cref="Code"/> into an RFC 9457 problem type and an HTTP status.
/// </summary>
[GenerateSerializer, Alias("Actors.ActorsException")]
public sealed class ActorsException : Exception
{
    public ActorsException(string code, string message, IReadOnlyDictionary<string, string[]>? errors = null)
        : base(message)
    {
        Code = code;
        Errors = errors;
    }

    /// <summary>Stable, documented code, e.g. <c>conflict</c>, <c>not_found</c>, <c>validation</c>.</summary>
    [Id(0)] public string Code { get; }

    /// <summary>For validation failures: messages by field name.</summary>
    [Id(1)] public IReadOnlyDictionary<string, string[]>? Errors { get; }

    public static ActorsException NotFound(string what) => new(ErrorCodes.NotFound, $"{what} was not found.");
    public static ActorsException Conflict(string message) => new(ErrorCodes.Conflict, message);
    public static ActorsException Invalid(string field, string message) =>
        new(ErrorCodes.Validation, "One or more fields are invalid.", new Dictionary<string, string[]> { [field] = [message] });
}

/// <summary>The stable error codes; each is also the last segment of a problem-details <c>type</c>.</summary>
public static class ErrorCodes
{
    public const string Validation = "validation";
    public const string NotFound = "not_found";
    public const string Conflict = "conflict";
    public const string Forbidden = "forbidden";
    public const string TenantSuspended = "tenant_suspended";
    public const string Unauthorized = "unauthorized";
    public const string PreconditionFailed = "precondition_failed";
    public const string IdempotencyKeyReused = "idempotency_key_reused";
    public const string RateLimited = "rate_limited";
    public const string Unavailable = "unavailable";
    public const string LimitExceeded = "limit_exceeded";
    public const string TooLarge = "too_large";
    public const string UnsupportedMediaType = "unsupported_media_type";
}
