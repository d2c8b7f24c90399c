using Actors.Contracts.Users;

namespace Actors.Data.Users;

/// <summary>Stored state of a user. Never reorder the [Id]s once stored.</summary>
[GenerateSerializer, Alias("Actors.UserState")]
public sealed record UserState
{
    [Id(0)] public string Email { get; set; } = "";
    [Id(1)] public string? TenantId { get; set; }
    [Id(2)] public UserRole Role { get; set; }
    [Id(3)] public string PasswordHash { get; set; } = "";
    [Id(4)] public bool Deleted { get; set; }
    [Id(5)] public DateTimeOffset CreatedAt { get; set; }
    [Id(6)] public DateTimeOffset UpdatedAt { get; set; }
    /// <summary>Carried by tokens; bumped when the role or password changes, so earlier tokens are refused.</summary>
    [Id(7)] public int TokenVersion { get; set; }
    [Id(8)] public int FailedLogins { get; set; }
    [Id(9)] public DateTimeOffset? LockedUntil { get; set; }
}
