using Actors.Contracts;

namespace Actors.WebApi.Auth;

/// <summary>
/// Section <c>Bootstrap</c>: the first operator and, optionally, a tenant with its admin, created by
/// <see cref="Bootstrap"/> when missing. Nothing is created without an operator email and password.
/// </summary>
public sealed class BootstrapOptions
{
    public const string Section = "Bootstrap";

    public string? OperatorEmail { get; set; }

    public string? OperatorPassword { get; set; }

    /// <summary>The tenant's id (a slug), created if missing; none when empty.</summary>
    public string? TenantId { get; set; }

    /// <summary>The tenant's name; its id when empty.</summary>
    public string? TenantName { get; set; }

    public string? TenantAdminEmail { get; set; }

    public string? TenantAdminPassword { get; set; }

    /// <summary>
    /// The first error of these settings (named as configured), or null when they are usable: an account
    /// the API could never sign in, or a tenant no request could name, is refused at start.
    /// </summary>
    public string? Refusal() =>
        !string.IsNullOrWhiteSpace(OperatorEmail) && !EmailAddress.IsValid(OperatorEmail) ? "Bootstrap:OperatorEmail must be an email address"
        : !string.IsNullOrEmpty(TenantId) && !TenantAccessMiddleware.Slug().IsMatch(TenantId)
            ? "Bootstrap:TenantId must be a slug: a lowercase letter, then 1 to 62 lowercase letters, digits or hyphens"
        : !string.IsNullOrEmpty(TenantAdminEmail) && !EmailAddress.IsValid(TenantAdminEmail) ? "Bootstrap:TenantAdminEmail must be an email address"
        : null;
}
