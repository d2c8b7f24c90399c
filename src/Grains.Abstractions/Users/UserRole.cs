namespace Actors.Contracts.Users;

[GenerateSerializer, Alias("Actors.UserRole")]
public enum UserRole
{
    /// <summary>Platform-wide: manages tenants, may act inside any tenant.</summary>
    Operator = 0,
    /// <summary>Manages one tenant's users and data.</summary>
    Admin = 1,
    /// <summary>Decides candidates, manages jobs inside one tenant.</summary>
    Reviewer = 2,
    /// <summary>Reads inside one tenant.</summary>
    Viewer = 3,
}
