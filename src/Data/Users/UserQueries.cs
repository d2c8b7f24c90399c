using Actors.Contracts;
using Actors.Contracts.Users;
using Npgsql;

namespace Actors.Data.Users;

/// <summary>A user as the API answers it, one or in a list: no password hash, no lockout.</summary>
public sealed record UserResponse(string Email, string? TenantId, string Role, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static UserResponse From(UserInfo u) => new(u.Email, u.TenantId, ActorsJson.Name(u.Role), u.CreatedAt, u.UpdatedAt);
}

/// <summary>The read side of <c>users</c>.</summary>
public static class UserQueries
{
    /// <summary>A page of the tenant's users not deleted, by email.</summary>
    public static Task<Page<UserResponse>> PageAsync(NpgsqlDataSource db, string tenant, Paging page) =>
        PagedQuery.ReadAsync(db, "email, tenant_id, role, created_at, updated_at",
            "users", "tenant_id = @tenant AND NOT deleted", new KeysetOrder(null, "email", "text", Descending: false), page,
            [("tenant", tenant)],
            r => new UserResponse(r.GetString(0), r.GetString(1), r.GetString(2), r.GetFieldValue<DateTimeOffset>(3), r.GetFieldValue<DateTimeOffset>(4)),
            new CounterTotal(tenant, UserTable.Counter));
}
