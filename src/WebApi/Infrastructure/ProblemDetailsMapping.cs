using Actors.Contracts;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace Actors.WebApi.Infrastructure;

/// <summary>
/// Maps every exception that reaches the pipeline to RFC 9457 problem details with a stable type:
/// domain refusals to 4xx, an unreachable cluster or database to 503 with Retry-After, and anything
/// else to a 500 that carries no stack trace.
/// </summary>
public sealed partial class ProblemDetailsMapping(IProblemDetailsService problems, ILogger<ProblemDetailsMapping> logger) : IExceptionHandler
{
    public const string TypePrefix = "https://actors.dev/problems/";

    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var problem = Map(exception);
        if (problem.Status >= 500)
        {
            if (problem.Status == StatusCodes.Status503ServiceUnavailable)
            {
                context.Response.Headers.RetryAfter = "5";
                LogUnavailable(logger, exception.GetType().Name, exception.Message);
            }
            else
            {
                LogUnhandled(logger, exception);
            }
        }
        context.Response.StatusCode = problem.Status!.Value;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = problem,
            Exception = exception,
        });
    }

    public static ProblemDetails Map(Exception exception) => exception switch
    {
        ActorsException domain => FromDomain(domain),
        // The status Kestrel chose (400, 413 for a body over 1 MB, ...), as the routes that bind bodies themselves answer.
        BadHttpRequestException bad => FromBadRequest(bad),
        OperationCanceledException or TimeoutException or TaskCanceledException
            => Create(503, ErrorCodes.Unavailable, "Service unavailable", "The cluster did not answer in time; retry shortly."),
        SiloUnavailableException or OrleansMessageRejectionException or GatewayTooBusyException or Orleans.Runtime.Messaging.ConnectionFailedException
            => Create(503, ErrorCodes.Unavailable, "Service unavailable", "No silo could serve the request; retry shortly."),
        NpgsqlException
            => Create(503, ErrorCodes.Unavailable, "Service unavailable", "The database is unreachable; retry shortly."),
        InvalidOperationException ioe when ioe.Message.Contains("not initialized", StringComparison.OrdinalIgnoreCase)
            || ioe.Message.Contains("not connected", StringComparison.OrdinalIgnoreCase)
            => Create(503, ErrorCodes.Unavailable, "Service unavailable", "The API is not connected to the cluster yet; retry shortly."),
        _ when IsStorageFailure(exception)
            => Create(503, ErrorCodes.Unavailable, "Service unavailable", "Storage is unavailable; retry shortly."),
        _ => Create(500, "internal", "Internal error", "The request failed on the server. It has been logged."),
    };

    /// <summary>
    /// A body or parameter the framework could not bind: the field it stumbled on goes into the errors map
    /// (unknown fields are refused: a client never sets status, version, tenant or timestamps).
    /// </summary>
    private static ProblemDetails FromBadRequest(BadHttpRequestException bad)
    {
        if (bad.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return Create(bad.StatusCode, ErrorCodes.Validation, "Bad request", "The request body is larger than 1 MB.");
        }
        string? field = null, reason = null;
        if (bad.InnerException is System.Text.Json.JsonException json)
        {
            var path = json.Path is { Length: > 1 } p && p.StartsWith("$.", StringComparison.Ordinal) ? p[2..] : null;
            if (UnmappedProperty().Match(json.Message) is { Success: true } unmapped)
            {
                // The path already ends with the unknown property's name.
                field = path ?? unmapped.Groups[1].Value;
                reason = "is not a field of this request";
            }
            else if (json.InnerException is System.Text.Json.JsonException || path is null)
            {
                // Not well-formed JSON (the reader's own error), or not an object at all.
                field = "body";
                reason = "must be a well-formed JSON object of this request's fields";
            }
            else
            {
                field = path;
                reason = "has the wrong type";
            }
        }
        else if (UnboundParameter().Match(bad.Message) is { Success: true } parameter)
        {
            field = parameter.Groups[1].Value;
            reason = "has the wrong type";
        }
        else if (bad.Message.Contains("request body", StringComparison.OrdinalIgnoreCase))
        {
            field = "body";
            reason = "is required: a JSON object (Content-Type: application/json)";
        }
        var problem = Create(bad.StatusCode, ErrorCodes.Validation, field is null ? "Bad request" : "Invalid request",
            field is null ? bad.Message : "One or more fields are invalid.");
        if (field is not null)
        {
            problem.Extensions["errors"] = new Dictionary<string, string[]> { [field] = [reason!] };
        }
        return problem;
    }

    [System.Text.RegularExpressions.GeneratedRegex("^The JSON property '(.{1,200}?)' could not be mapped")]
    private static partial System.Text.RegularExpressions.Regex UnmappedProperty();

    [System.Text.RegularExpressions.GeneratedRegex("^Failed to bind parameter \"(?:[^\"]* )?([A-Za-z_][A-Za-z0-9_]*)\" from")]
    private static partial System.Text.RegularExpressions.Regex UnboundParameter();

    private static bool IsStorageFailure(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is NpgsqlException or System.Net.Sockets.SocketException)
            {
                return true;
            }
        }
        return false;
    }

    private static ProblemDetails FromDomain(ActorsException exception)
    {
        var status = StatusFor(exception.Code);
        var problem = Create(status, exception.Code, TitleFor(exception.Code), exception.Message);
        if (exception.Errors is { Count: > 0 } errors)
        {
            problem.Extensions["errors"] = errors;
        }
        return problem;
    }

    public static int StatusFor(string code) => code switch
    {
        ErrorCodes.Validation => 400,
        ErrorCodes.Unauthorized => 401,
        ErrorCodes.Forbidden or ErrorCodes.TenantSuspended => 403,
        ErrorCodes.NotFound => 404,
        ErrorCodes.Conflict => 409,
        ErrorCodes.PreconditionFailed => 412,
        ErrorCodes.TooLarge => 413,
        ErrorCodes.UnsupportedMediaType => 415,
        ErrorCodes.LimitExceeded => 422,
        ErrorCodes.IdempotencyKeyReused => 422,
        ErrorCodes.RateLimited => 429,
        ErrorCodes.Unavailable => 503,
        _ => 400,
    };

    public static string TitleFor(string code) => code switch
    {
        ErrorCodes.Validation => "Invalid request",
        ErrorCodes.Unauthorized => "Unauthorized",
        ErrorCodes.Forbidden => "Forbidden",
        ErrorCodes.TenantSuspended => "Tenant suspended",
        ErrorCodes.NotFound => "Not found",
        ErrorCodes.Conflict => "Conflict",
        ErrorCodes.PreconditionFailed => "Precondition failed",
        ErrorCodes.TooLarge => "Content too large",
        ErrorCodes.UnsupportedMediaType => "Unsupported media type",
        ErrorCodes.LimitExceeded => "Limit exceeded",
        ErrorCodes.IdempotencyKeyReused => "Idempotency key reused",
        ErrorCodes.RateLimited => "Too many requests",
        ErrorCodes.Unavailable => "Service unavailable",
        _ => "Bad request",
    };

    public static ProblemDetails Create(int status, string code, string title, string detail) => new()
    {
        Status = status,
        Type = TypePrefix + code,
        Title = title,
        Detail = detail,
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dependency unavailable: {ExceptionType}: {Reason}")]
    private static partial void LogUnavailable(ILogger logger, string exceptionType, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled exception")]
    private static partial void LogUnhandled(ILogger logger, Exception exception);
}
