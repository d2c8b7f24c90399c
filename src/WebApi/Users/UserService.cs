using Actors.Contracts;
using Actors.Contracts.Tenants;
using Actors.Contracts.Users;
using Actors.WebApi.Auth;
using Actors.WebApi.Infrastructure;
using Npgsql;
using Actors.Data;
using Actors.Data.Users;

namespace Actors.WebApi.Users;

/// <summary>
/// The users capability: a tenant's admins and platform operators create, change and delete its users,
/// and read them (one, a page). A user of another tenant, or of a tenant the caller is not in, reads as
/// absent. <see cref="UsersApi"/> is its HTTP adapter.
/// </summary>
public sealed class UserService(IClusterClient cluster, NpgsqlDataSource db, AccessCache access)
{
    public const int MinPasswordLength = 8;

    public async Task<UserInfo> CreateAsync(RequestActor actor, string tenant, CreateUserRequest body)
    {
        await EnsureTenantAsync(actor, tenant);
        var errors = new Validator();
        errors.Email("email", body.Email);
        ValidatePassword(errors, body.Password, required: true);
        var role = ParseRole(errors, body.Role, required: true);
        errors.ThrowIfAny();

        return await cluster.GetGrain<IUserGrain>(GrainKeys.User(body.Email!)).CreateAsync(new UserDraft(tenant, role!.Value, body.Password!));
    }

    /// <summary>A page of the tenant's users, by email.</summary>
    public async Task<Page<UserResponse>> PageAsync(RequestActor actor, string tenant, int? limit, int? offset, string? cursor)
    {
        await EnsureTenantAsync(actor, tenant);
        var errors = new Validator();
        var page = PagingRequest.From(limit, offset, cursor, errors);
        errors.ThrowIfAny();

        return await UserQueries.PageAsync(db, tenant, page);
    }

    public async Task<UserInfo> GetAsync(RequestActor actor, string tenant, string email) => (await FindAsync(actor, tenant, email)).User;

    /// <summary>Changes a user's role or password; their tokens stop working.</summary>
    public async Task<UserInfo> UpdateAsync(RequestActor actor, string tenant, string email, UpdateUserRequest body)
    {
        var (grain, _) = await FindAsync(actor, tenant, email);
        var errors = new Validator();
        ValidatePassword(errors, body.Password, required: false);
        var role = ParseRole(errors, body.Role, required: false);
        errors.ThrowIfAny();

        var user = await grain.UpdateAsync(new UserPatch { Role = role, Password = body.Password });
        access.ForgetUser(email);
        return user;
    }

    /// <summary>Deletes a user; their tokens stop working.</summary>
    public async Task DeleteAsync(RequestActor actor, string tenant, string email)
    {
        var (grain, _) = await FindAsync(actor, tenant, email);
        await grain.DeleteAsync();
        access.ForgetUser(email);
    }

    private async Task<(IUserGrain Grain, UserInfo User)> FindAsync(RequestActor actor, string tenant, string email)
    {
        await EnsureTenantAsync(actor, tenant);
        var grain = cluster.GetGrain<IUserGrain>(GrainKeys.User(email));
        var user = email.Length <= 254 ? await grain.GetAsync() : null;
        // A user of another tenant reads as absent.
        if (user is null || user.TenantId != tenant)
        {
            throw ActorsException.NotFound($"User '{email}'");
        }
        return (grain, user);
    }

    private async Task EnsureTenantAsync(RequestActor actor, string tenant)
    {
        actor.EnsureTenant(tenant);
        if (!TenantAccessMiddleware.Slug().IsMatch(tenant) || await cluster.GetGrain<ITenantGrain>(GrainKeys.Tenant(tenant)).GetAsync() is null)
        {
            throw ActorsException.NotFound($"Tenant '{tenant}'");
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
