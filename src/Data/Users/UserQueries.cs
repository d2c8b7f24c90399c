using Npgsql;

namespace Actors.Data.Users;

/// <summary>A user as a list reads it: no password hash, no lockout.</summary>
public sealed record UserListItem(string Email, string? TenantId, string Role, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>The read side of <c>users</c>.</summary>
public static class UserQueries
{
    /// <summary>A page of the tenant's users not deleted, by email.</summary>
    public static Task<Page<UserListItem>> PageAsync(NpgsqlDataSource db, string tenant, Paging page) =>
        PagedQuery.ReadAsync(db, "email, tenant_id, role, created_at, updated_at",
            "users", "tenant_id = @tenant AND NOT deleted", new KeysetOrder(null, "email", "text", Descending: false), page,
            [("tenant", tenant)],
            r => new UserListItem(r.GetString(0), r.GetString(1), r.GetString(2), r.GetFieldValue<DateTimeOffset>(3), r.GetFieldValue<DateTimeOffset>(4)),
            new CounterTotal(tenant, UserTable.Counter));
}
