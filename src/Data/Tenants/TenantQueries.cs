using Actors.Contracts;
using Actors.Contracts.Tenants;
using Npgsql;

namespace Actors.Data.Tenants;

public sealed record TenantListItem(string Id, string Name, string Status, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>The read side of <c>tenants</c>.</summary>
public static class TenantQueries
{
    /// <summary>The stored names of <see cref="TenantStatus"/>, as the <c>status</c> column and its counter keys hold them.</summary>
    public static readonly string[] Statuses = [.. Enum.GetValues<TenantStatus>().Select(ActorsJson.Name)];

    /// <summary>A page of tenants, newest first, optionally of one of <see cref="Statuses"/>.</summary>
    public static Task<Page<TenantListItem>> PageAsync(NpgsqlDataSource db, string? status, Paging page) =>
        PagedQuery.ReadAsync(db, "id, name, status, created_at, updated_at",
            "tenants", status is null ? "true" : "status = @status", new KeysetOrder("created_at", "id", "text"), page,
            [("status", status)],
            r => new TenantListItem(r.GetString(0), r.GetString(1), r.GetString(2), r.GetFieldValue<DateTimeOffset>(3), r.GetFieldValue<DateTimeOffset>(4)),
            status is null ? new CounterTotal("", TenantTable.StatusCounter) : new CounterTotal("", TenantTable.StatusCounter, status));
}
