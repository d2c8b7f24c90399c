namespace Actors.Contracts.Users;

[GenerateSerializer, Alias("Actors.LoginResult")]
public enum LoginResult
{
    Succeeded = 0,
    InvalidCredentials = 1,
    LockedOut = 2,
}
