namespace Actors.Contracts.Users;

[GenerateSerializer, Alias("Actors.LoginOutcome")]
public sealed record LoginOutcome(
    [property: Id(0)] LoginResult Result,
    [property: Id(1)] UserInfo? User,
    [property: Id(2)] int RetryAfterSeconds);
