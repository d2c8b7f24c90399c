namespace Actors.Contracts.Users;

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
