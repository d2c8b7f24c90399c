using Prometheus;

namespace Actors.WebApi.Auth;

public static partial class AuthMetrics
{
    public static readonly Counter TokensIssued = Metrics.CreateCounter(
        "jwt_tokens_issued_total", "Access tokens issued by POST /auth/login.");

    /// <summary>Reasons: invalid_credentials, locked_out, tenant_suspended, missing_token, invalid_token, token_revoked, tenant_mismatch, role_forbidden.</summary>
    public static readonly Counter Failures = Metrics.CreateCounter(
        "authentication_failures_total", "Refused logins and refused tokens, by reason.",
        new CounterConfiguration { LabelNames = ["reason"] });

    public static readonly string[] Reasons =
        ["invalid_credentials", "locked_out", "tenant_suspended", "missing_token", "invalid_token", "token_revoked", "tenant_mismatch", "role_forbidden"];

    // Every reason exported from the start at 0, so rate() and the alert see the first failure.
    static AuthMetrics()
    {
        foreach (var reason in Reasons)
        {
            Failures.WithLabels(reason);
        }
    }

    /// <summary>
    /// Counts a refusal and logs it at Warning with its reason (the runbook finds them with
    /// <c>select(.level != "info")</c>); the request's own line follows with its status.
    /// </summary>
    public static void Fail(HttpContext context, string reason)
    {
        Failures.WithLabels(reason).Inc();
        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Actors.WebApi.Auth");
        LogRefused(logger, reason, context.Request.Method, context.Request.Path.Value ?? "",
            context.User.FindFirst(Claims.Subject)?.Value ?? "anonymous");
    }

    [LoggerMessage(EventName = "auth_refused", Level = LogLevel.Warning, Message = "Refused {Reason}: {Method} {Path} by {Subject}")]
    private static partial void LogRefused(ILogger logger, string reason, string method, string path, string subject);
}
