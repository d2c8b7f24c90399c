using System.Globalization;
using System.Text.RegularExpressions;
using Actors.Contracts;
using Actors.Contracts.Tenants;
using Actors.Contracts.Users;
using Actors.WebApi.Infrastructure;

namespace Actors.WebApi.Auth;

/// <summary>
/// Runs for every request that carries a valid token, before authorization: refuses tokens of deleted
/// users or revoked by a role or password change (401), resolves the tenant (the token's, or for
/// operators the <c>X-Tenant-Id</c> header), and admits the request for the tenant: suspended 403,
/// unknown 404, over its request rate 429 with Retry-After. Both checks are answered by
/// <see cref="AccessCache"/> (at most a second old), so a request usually makes no grain call here.
/// </summary>
public sealed partial class TenantAccessMiddleware(RequestDelegate next)
{
    public const string TenantHeader = "X-Tenant-Id";

    public async Task InvokeAsync(HttpContext context, AccessCache access)
    {
        var user = context.User;
        if (user.Identity?.IsAuthenticated != true)
        {
            await next(context);
            return;
        }

        var email = user.FindFirst(Claims.Subject)?.Value;
        var role = RequestActorExtensions.RoleOf(user);
        var version = int.TryParse(user.FindFirst(Claims.TokenVersion)?.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v)
            ? v : (int?)null;
        if (email is null || role is null || version is null)
        {
            AuthMetrics.Fail(context, "invalid_token");
            await RefuseAsync(context, ErrorCodes.Unauthorized, "The token lacks its subject, role or version.");
            return;
        }

        var header = context.Request.Headers[TenantHeader].ToString();
        if (header.Length == 0 && ReviewConsole.ConsoleSetup.IsConsole(context.Request.Path))
        {
            // A browser cannot send the header: the console names the tenant in ?tenant=, checked the same way.
            header = context.Request.Query["tenant"].ToString();
        }
        var tokenTenant = user.FindFirst(Claims.Tenant)?.Value;
        string? tenant;
        if (role == UserRole.Operator)
        {
            tenant = header.Length == 0 ? null : header;
        }
        else if (header.Length > 0 && !string.Equals(header, tokenTenant, StringComparison.Ordinal))
        {
            AuthMetrics.Fail(context, "tenant_mismatch");
            await RefuseAsync(context, ErrorCodes.Forbidden, $"{TenantHeader} names a tenant this account does not belong to.");
            return;
        }
        else
        {
            tenant = tokenTenant;
        }
        if (tenant is not null && !Slug().IsMatch(tenant))
        {
            await RefuseAsync(context, ErrorCodes.Validation, $"{TenantHeader} is not a tenant id.",
                new Dictionary<string, string[]> { [TenantHeader] = ["must be a tenant id (lower-case letters, digits and dashes)"] });
            return;
        }

        // Both answers come from this process's cache (AccessCache.Bound old at most); a miss asks the grains.
        var tokenCheck = access.IsTokenValidAsync(email, version.Value);
        var admission = tenant is null ? ValueTask.FromResult(Admission.Admitted) : access.AdmitAsync(tenant);
        var tokenValid = await tokenCheck;
        var admitted = await admission;

        if (!tokenValid)
        {
            AuthMetrics.Fail(context, "token_revoked");
            await RefuseAsync(context, ErrorCodes.Unauthorized, "The token is no longer valid; sign in again.");
            return;
        }
        switch (admitted.Result)
        {
            case AdmissionResult.NotFound:
                await RefuseAsync(context, ErrorCodes.NotFound, $"Tenant '{tenant}' was not found.");
                return;
            case AdmissionResult.Suspended:
                AuthMetrics.Fail(context, "tenant_suspended");
                await RefuseAsync(context, ErrorCodes.TenantSuspended, $"Tenant '{tenant}' is suspended.");
                return;
            case AdmissionResult.RateLimited:
                context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(admitted.RetryAfterSeconds)).ToString(CultureInfo.InvariantCulture);
                await RefuseAsync(context, ErrorCodes.RateLimited, $"Tenant '{tenant}' is over its request rate.");
                return;
        }

        context.Features.Set(new RequestActor(email, role.Value, tenant));
        await next(context);
    }

    /// <summary>Problem details for the API; for the console the same refusal as a page saying so.</summary>
    private static Task RefuseAsync(HttpContext context, string code, string detail, IReadOnlyDictionary<string, string[]>? errors = null) =>
        ReviewConsole.ConsoleSetup.IsConsole(context.Request.Path)
            ? ReviewConsole.ConsoleRefusal.WriteAsync(context, code, detail)
            : Problems.WriteAsync(context, code, detail, errors);

    [GeneratedRegex("^[a-z][a-z0-9-]{1,62}$")]
    public static partial Regex Slug();
}
