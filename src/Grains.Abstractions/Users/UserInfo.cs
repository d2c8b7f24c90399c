namespace Actors.Contracts.Users;

[GenerateSerializer, Alias("Actors.UserInfo")]
public sealed record UserInfo(
    [property: Id(0)] string Email,
    [property: Id(1)] string? TenantId,
    [property: Id(2)] UserRole Role,
    [property: Id(3)] DateTimeOffset CreatedAt,
    [property: Id(4)] DateTimeOffset UpdatedAt,
    [property: Id(5)] int TokenVersion);
