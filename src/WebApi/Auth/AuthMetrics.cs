using Prometheus;

namespace Actors.WebApi.Auth;

public static class AuthMetrics
{
    public static readonly Counter TokensIssued = Metrics.CreateCounter(
        "jwt_tokens_issued_total", "Access tokens issued by POST /auth/login.");

    /// <summary>Reasons: invalid_credentials, locked_out, tenant_suspended, missing_token, invalid_token, token_revoked, tenant_mismatch.</summary>
    public static readonly Counter Failures = Metrics.CreateCounter(
        "authentication_failures_total", "Refused logins and refused tokens, by reason.",
        new CounterConfiguration { LabelNames = ["reason"] });

    public static readonly string[] Reasons =
        ["invalid_credentials", "locked_out", "tenant_suspended", "missing_token", "invalid_token", "token_revoked", "tenant_mismatch"];

    // Every reason exported from the start at 0, so rate() and the alert see the first failure.
    static AuthMetrics()
    {
        foreach (var reason in Reasons)
        {
            Failures.WithLabels(reason);
        }
    }

    public static void Fail(string reason) => Failures.WithLabels(reason).Inc();
}
