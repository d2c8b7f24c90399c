namespace Actors.Contracts.Users;

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
