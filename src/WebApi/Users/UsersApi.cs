using Actors.Grains;
using Actors.Grains.Tenants;
using Actors.Grains.Users;
using Actors.WebApi.Auth;
using Actors.WebApi.Infrastructure;
using Npgsql;

namespace Actors.WebApi.Users;

public sealed record CreateUserRequest(string? Email, string? Password, string? Role);

public sealed record UpdateUserRequest(string? Role, string? Password);

public sealed record UserResponse(string Email, string? TenantId, string Role, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static UserResponse From(UserInfo u) => new(u.Email, u.TenantId, Roles.Of(u.Role), u.CreatedAt, u.UpdatedAt);
}

/// <summary>A tenant's users: its admins and platform operators manage them.</summary>
public static class UsersApi
{
    public const int MinPasswordLength = 8;

    public static IEndpointRouteBuilder MapUsersApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/tenants/{id}/users").WithTags("Users").RequireAuthorization(Policies.TenantAdmin)
            .ProducesProblem(401).ProducesProblem(403).ProducesProblem(404).ProducesProblem(503);
        group.MapPost("/", CreateAsync).Produces<UserResponse>(201).WithSummary("Create a user in the tenant (role admin, reviewer or viewer).")
            .ProducesProblem(400).ProducesProblem(409);
        group.MapGet("/", ListAsync).Produces<Page<UserResponse>>().WithSummary("List the tenant's users.").ProducesProblem(400);
        group.MapGet("/{email}", GetAsync).Produces<UserResponse>().WithSummary("One user of the tenant.");
        group.MapPatch("/{email}", UpdateAsync).Produces<UserResponse>().WithSummary("Change a user's role or password (their tokens stop working).")
            .ProducesProblem(400);
        group.MapDelete("/{email}", DeleteAsync).Produces(204).WithSummary("Delete a user (their tokens stop working).");
        return endpoints;
    }

    private static async Task<IResult> CreateAsync(string id, CreateUserRequest body, HttpContext context, IClusterClient cluster)
    {
        await EnsureTenantAsync(id, context, cluster);
        var errors = new Validator();
        errors.Email("email", body.Email);
        ValidatePassword(errors, body.Password, required: true);
        var role = ParseRole(errors, body.Role, required: true);
        errors.ThrowIfAny();

        var user = await cluster.GetGrain<IUserGrain>(GrainKeys.User(body.Email!)).CreateAsync(new UserDraft(id, role!.Value, body.Password!));
        return TypedResults.Created($"/tenants/{id}/users/{Uri.EscapeDataString(user.Email)}", UserResponse.From(user));
    }

    private static async Task<IResult> ListAsync(string id, HttpContext context, IClusterClient cluster, NpgsqlDataSource db, int? limit,
        int? offset, string? cursor)
    {
        await EnsureTenantAsync(id, context, cluster);
        var errors = new Validator();
        var page = Paging.From(limit, offset, cursor, errors);
        errors.ThrowIfAny();

        return TypedResults.Ok(await PagedQuery.ReadAsync(db, "email, tenant_id, role, created_at, updated_at",
            "users", "tenant_id = @tenant AND NOT deleted", new KeysetOrder(null, "email", "text", Descending: false), page,
            [("tenant", id)],
            r => new UserResponse(r.GetString(0), r.GetString(1), r.GetString(2), r.GetFieldValue<DateTimeOffset>(3), r.GetFieldValue<DateTimeOffset>(4)),
            new CounterTotal(id, "user")));
    }

    private static async Task<IResult> GetAsync(string id, string email, HttpContext context, IClusterClient cluster)
    {
        var (_, user) = await FindAsync(id, email, context, cluster);
        return TypedResults.Ok(UserResponse.From(user));
    }

    private static async Task<IResult> UpdateAsync(string id, string email, UpdateUserRequest body, HttpContext context, IClusterClient cluster)
    {
        var (grain, _) = await FindAsync(id, email, context, cluster);
        var errors = new Validator();
        ValidatePassword(errors, body.Password, required: false);
        var role = ParseRole(errors, body.Role, required: false);
        errors.ThrowIfAny();

        var user = await grain.UpdateAsync(new UserPatch { Role = role, Password = body.Password });
        context.RequestServices.GetRequiredService<AccessCache>().ForgetUser(email);
        return TypedResults.Ok(UserResponse.From(user));
    }

    private static async Task<IResult> DeleteAsync(string id, string email, HttpContext context, IClusterClient cluster)
    {
        var (grain, _) = await FindAsync(id, email, context, cluster);
        await grain.DeleteAsync();
        context.RequestServices.GetRequiredService<AccessCache>().ForgetUser(email);
        return TypedResults.NoContent();
    }

    private static async Task<(IUserGrain Grain, UserInfo User)> FindAsync(string id, string email, HttpContext context, IClusterClient cluster)
    {
        await EnsureTenantAsync(id, context, cluster);
        var grain = cluster.GetGrain<IUserGrain>(GrainKeys.User(email));
        var user = email.Length <= 254 ? await grain.GetAsync() : null;
        // A user of another tenant reads as absent.
        if (user is null || user.TenantId != id)
        {
            throw ActorsException.NotFound($"User '{email}'");
        }
        return (grain, user);
    }

    private static async Task EnsureTenantAsync(string id, HttpContext context, IClusterClient cluster)
    {
        context.Actor().EnsureTenant(id);
        if (!TenantAccessMiddleware.Slug().IsMatch(id) || await cluster.GetGrain<ITenantGrain>(GrainKeys.Tenant(id)).GetAsync() is null)
        {
            throw ActorsException.NotFound($"Tenant '{id}'");
        }
    }

    private static void ValidatePassword(Validator errors, string? password, bool required)
    {
        if (password is null)
        {
            if (required)
            {
                errors.Add("password", "is required");
            }
            return;
        }
        if (password.Length < MinPasswordLength || password.Length > 128)
        {
            errors.Add("password", $"must be {MinPasswordLength} to 128 characters");
        }
    }

    private static UserRole? ParseRole(Validator errors, string? role, bool required)
    {
        switch (role)
        {
            case null when required:
                errors.Add("role", "is required");
                return null;
            case null:
                return null;
            case Roles.Admin: return UserRole.Admin;
            case Roles.Reviewer: return UserRole.Reviewer;
            case Roles.Viewer: return UserRole.Viewer;
            default:
                errors.Add("role", "must be admin, reviewer or viewer");
                return null;
        }
    }
}
