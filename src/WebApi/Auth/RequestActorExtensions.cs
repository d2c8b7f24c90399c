using System.Security.Claims;
using Actors.Contracts;
using Actors.Contracts.Users;

namespace Actors.WebApi.Auth;

public static class RequestActorExtensions
{
    public static RequestActor Actor(this HttpContext context) =>
        context.Features.Get<RequestActor>()
        ?? throw new ActorsException(ErrorCodes.Unauthorized, "Authentication is required.");

    public static UserRole? RoleOf(ClaimsPrincipal user) =>
        Enum.TryParse<UserRole>(user.FindFirstValue(Claims.Role), ignoreCase: true, out var role) ? role : null;
}
