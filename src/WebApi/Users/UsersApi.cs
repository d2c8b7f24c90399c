using Actors.WebApi.Auth;
using Actors.Data.Users;

namespace Actors.WebApi.Users;

public sealed record CreateUserRequest(string? Email, string? Password, string? Role);

public sealed record UpdateUserRequest(string? Role, string? Password);

/// <summary>The users routes (a tenant's admins and platform operators): HTTP in and out over <see cref="UserService"/>.</summary>
public static class UsersApi
{
    public static IEndpointRouteBuilder MapUsersApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/tenants/{id}/users").WithTags("Users").RequireAuthorization(Policies.TenantAdmin)
            .ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(503);
        group.MapPost("/", async (string id, CreateUserRequest body, HttpContext c, UserService users) =>
            {
                var user = await users.CreateAsync(c.Actor(), id, body);
                return TypedResults.Created($"/tenants/{id}/users/{Uri.EscapeDataString(user.Email)}", UserResponse.From(user));
            })
            .WithSummary("Create a user in the tenant (role admin, reviewer or viewer).").ProducesProblem(400).ProducesProblem(409);
        group.MapGet("/", async (string id, HttpContext c, UserService users, int? limit, int? offset, string? cursor) =>
                TypedResults.Ok(await users.PageAsync(c.Actor(), id, limit, offset, cursor)))
            .WithSummary("List the tenant's users.").ProducesProblem(400);
        group.MapGet("/{email}", async (string id, string email, HttpContext c, UserService users) =>
                TypedResults.Ok(UserResponse.From(await users.GetAsync(c.Actor(), id, email))))
            .WithSummary("One user of the tenant.");
        group.MapPatch("/{email}", async (string id, string email, UpdateUserRequest body, HttpContext c, UserService users) =>
                TypedResults.Ok(UserResponse.From(await users.UpdateAsync(c.Actor(), id, email, body))))
            .WithSummary("Change a user's role or password (their tokens stop working).").ProducesProblem(400);
        group.MapDelete("/{email}", async (string id, string email, HttpContext c, UserService users) =>
            {
                await users.DeleteAsync(c.Actor(), id, email);
                return TypedResults.NoContent();
            })
            .WithSummary("Delete a user (their tokens stop working).");
        return endpoints;
    }
}
