namespace Actors.Grains.Users;

/// <summary>One user account, keyed by <see cref="GrainKeys.User"/> (the lower-cased email).</summary>
[Alias("Actors.IUserGrain")]
public interface IUserGrain : IGrainWithStringKey
{
    /// <summary>The user, or null when it never existed or was deleted.</summary>
    [Alias("Get"), SafeToRetry] Task<UserInfo?> GetAsync();

    [Alias("Create")] Task<UserInfo> CreateAsync(UserDraft draft);

    [Alias("Update")] Task<UserInfo> UpdateAsync(UserPatch patch);

    [Alias("Delete")] Task DeleteAsync();

    /// <summary>
    /// Checks a password. Unknown users and wrong passwords answer the same, after the same work;
    /// repeated failures lock the account for a while.
    /// </summary>
    [Alias("Login")] Task<LoginOutcome> LoginAsync(string password);

    /// <summary>
    /// False when the user is gone or its tokens were revoked (role or password changed) since a
    /// token of <paramref name="tokenVersion"/> was issued.
    /// </summary>
    [Alias("IsTokenValid"), Orleans.Concurrency.ReadOnly] Task<bool> IsTokenValidAsync(int tokenVersion);
}

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

[GenerateSerializer, Alias("Actors.UserInfo")]
public sealed record UserInfo(
    [property: Id(0)] string Email,
    [property: Id(1)] string? TenantId,
    [property: Id(2)] UserRole Role,
    [property: Id(3)] DateTimeOffset CreatedAt,
    [property: Id(4)] DateTimeOffset UpdatedAt,
    [property: Id(5)] int TokenVersion);

[GenerateSerializer, Alias("Actors.UserDraft")]
public sealed record UserDraft(
    [property: Id(0)] string? TenantId,
    [property: Id(1)] UserRole Role,
    [property: Id(2)] string Password)
{
    // ToString (logs, exception messages) never prints the password.
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("TenantId = ").Append(TenantId).Append(", Role = ").Append(Role).Append(", Password = ***");
        return true;
    }
}

/// <summary>A partial update: null members are left as they are.</summary>
[GenerateSerializer, Alias("Actors.UserPatch")]
public sealed record UserPatch
{
    [Id(0)] public UserRole? Role { get; init; }
    [Id(1)] public string? Password { get; init; }

    // ToString (logs, exception messages) never prints the password.
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("Role = ").Append(Role).Append(", Password = ").Append(Password is null ? "null" : "***");
        return true;
    }
}

[GenerateSerializer, Alias("Actors.LoginResult")]
public enum LoginResult
{
    Succeeded = 0,
    InvalidCredentials = 1,
    LockedOut = 2,
}

[GenerateSerializer, Alias("Actors.LoginOutcome")]
public sealed record LoginOutcome(
    [property: Id(0)] LoginResult Result,
    [property: Id(1)] UserInfo? User,
    [property: Id(2)] int RetryAfterSeconds);
