using Actors.Contracts;
using Actors.Contracts.Tenants;
using Actors.Contracts.Users;
using Actors.WebApi.Infrastructure;

namespace Actors.WebApi.Auth;

/// <summary>A sign-in's answer: the user and its token, or the error code and message of the refusal.</summary>
public sealed record SignInOutcome(UserInfo? User, string? Token, string? Code, string? Message, int RetryAfterSeconds)
{
    public static SignInOutcome Refused(string code, string message, int retryAfterSeconds = 0) => new(null, null, code, message, retryAfterSeconds);
}

/// <summary>
/// Signing in: <c>POST /auth/login</c> (<see cref="AuthApi"/>) and the console's sign-in form call it, so
/// both refuse the same way (wrong password, lockout, suspended tenant) and count the same metrics.
/// </summary>
public sealed class SignInService(IClusterClient cluster, TokenIssuer issuer)
{
    private const string BadCredentials = "Incorrect email or password.";

    /// <summary>
    /// The one sign-in check: the credentials' form (a 400 when invalid), the user grain's password and
    /// lockout answer, then the tenant's suspension; a token when both pass.
    /// </summary>
    public async Task<SignInOutcome> SignInAsync(HttpContext context, string? email, string? password)
    {
        var errors = new Validator();
        errors.Email("email", email);
        errors.Required("password", password, max: 256);
        errors.ThrowIfAny();

        var outcome = await cluster.GetGrain<IUserGrain>(GrainKeys.User(email!)).LoginAsync(password!);
        switch (outcome.Result)
        {
            case LoginResult.LockedOut:
                AuthMetrics.Fail(context, "locked_out");
                return SignInOutcome.Refused(ErrorCodes.RateLimited, "Too many failed sign-in attempts; try again later.", Math.Max(1, outcome.RetryAfterSeconds));
            case LoginResult.InvalidCredentials:
                AuthMetrics.Fail(context, "invalid_credentials");
                return SignInOutcome.Refused(ErrorCodes.Unauthorized, BadCredentials);
        }

        var user = outcome.User!;
        if (user.TenantId is not null)
        {
            var tenant = await cluster.GetGrain<ITenantGrain>(GrainKeys.Tenant(user.TenantId)).GetAsync();
            if (tenant is not { IsActive: true })
            {
                AuthMetrics.Fail(context, "tenant_suspended");
                return SignInOutcome.Refused(ErrorCodes.TenantSuspended, $"Tenant '{user.TenantId}' is suspended.");
            }
        }
        return new SignInOutcome(user, issuer.Issue(user), null, null, 0);
    }
}
