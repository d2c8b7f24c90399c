using System.Security.Claims;
using Actors.Contracts;
using Actors.Contracts.Users;

namespace Actors.WebApi.Auth;

/// <summary>Who is calling, and inside which tenant. Set by <see cref="TenantAccessMiddleware"/>.</summary>
public sealed record RequestActor(string Email, UserRole Role, string? TenantId)
{
    public bool IsOperator => Role == UserRole.Operator;

    /// <summary>The tenant this request acts in; operators must name one with X-Tenant-Id.</summary>
    public string RequireTenant() => TenantId ?? throw new ActorsException(ErrorCodes.Validation,
        "This route acts inside a tenant: operators select one with the X-Tenant-Id header.",
        new Dictionary<string, string[]> { ["X-Tenant-Id"] = ["required for operators on tenant routes"] });

    /// <summary>
    /// The tenant a list reads: the request's own, or for an operator without <c>X-Tenant-Id</c> every
    /// tenant (null), narrowed by <c>?tenant=</c>. Naming another tenant than the request's is a 400.
    /// </summary>
    public string? ListScope(string? narrow)
    {
        if (narrow is not null && !TenantAccessMiddleware.Slug().IsMatch(narrow))
        {
            throw ActorsException.Invalid("tenant", "must be a tenant id (lower-case letters, digits and dashes)");
        }
        if (TenantId is { } own)
        {
            return narrow is null || narrow == own ? own
                : throw ActorsException.Invalid("tenant", "names another tenant than the one this request acts in");
        }
        return IsOperator ? narrow : RequireTenant();
    }

    /// <summary>Operators act in any tenant; others only in their own (another tenant reads as absent).</summary>
    public void EnsureTenant(string tenantId)
    {
        if (!IsOperator && !string.Equals(TenantId, tenantId, StringComparison.Ordinal))
        {
            throw ActorsException.NotFound($"Tenant '{tenantId}'");
        }
    }
}

public static class RequestActorExtensions
{
    public static RequestActor Actor(this HttpContext context) =>
        context.Features.Get<RequestActor>()
        ?? throw new ActorsException(ErrorCodes.Unauthorized, "Authentication is required.");

    public static UserRole? RoleOf(ClaimsPrincipal user) =>
        Enum.TryParse<UserRole>(user.FindFirstValue(Claims.Role), ignoreCase: true, out var role) ? role : null;
}
