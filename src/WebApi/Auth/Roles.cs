using Actors.Contracts;
using Actors.Contracts.Users;

namespace Actors.WebApi.Auth;

public static class Roles
{
    public const string Operator = "operator";
    public const string Admin = "admin";
    public const string Reviewer = "reviewer";
    public const string Viewer = "viewer";

    public static string Of(UserRole role) => ActorsJson.Name(role);
}
