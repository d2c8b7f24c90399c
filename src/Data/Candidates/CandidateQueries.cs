using Actors.Contracts;
using Actors.Contracts.Candidates;
using Npgsql;

namespace Actors.Data.Candidates;

public sealed record CandidateListItem(Guid Id, string TenantId, string CompanyName, string ContactEmail, IReadOnlyList<string> Products, string Status,
    string Provisioning, string? ProviderId, long Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);
/// <summary>The read side of <c>candidates</c> and <c>candidate_history</c>: index ranges, never the tenant's whole table.</summary>
public static class CandidateQueries
{
    /// <summary>The stored names of <see cref="CandidateStatus"/>, as the <c>status</c> column and its counter keys hold them.</summary>
    public static readonly string[] Statuses = [.. Enum.GetValues<CandidateStatus>().Select(ActorsJson.Name)];

    /// <summary>The stored names of <see cref="ProvisioningStatus"/> (the <c>provisioning</c> column and its counter keys).</summary>
    public static readonly string[] Provisionings = [.. Enum.GetValues<ProvisioningStatus>().Select(ActorsJson.Name)];

    /// <summary>
    /// A page of candidates, newest first along (tenant_id[, status], created_at, id), or for an operator's
    /// platform-wide view (<paramref name="tenant"/> null) along (created_at, id); a product filter reads that
    /// range until it has a page, and has no counter (total null). <paramref name="status"/> is one of <see cref="Statuses"/>.
    /// </summary>
    public static Task<Page<CandidateListItem>> PageAsync(NpgsqlDataSource db, string? tenant, string? status, string? product, Paging page) =>
        PagedQuery.ReadAsync(db,
            "id, tenant_id, company_name, contact_email, products, status, provisioning, provider_id, version, created_at, updated_at", "candidates",
            Sql.Where(tenant is null ? null : "tenant_id = @tenant", status is null ? null : "status = @status",
                product is null ? null : "products @> ARRAY[@product::text]"),
            new KeysetOrder("created_at", "id", "uuid"), page, [("tenant", tenant), ("status", status), ("product", product)],
            r => new CandidateListItem(r.GetGuid(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetFieldValue<string[]>(4), r.GetString(5),
                r.GetString(6), r.IsDBNull(7) ? null : r.GetString(7), r.GetInt64(8), r.GetFieldValue<DateTimeOffset>(9), r.GetFieldValue<DateTimeOffset>(10)),
            product is not null ? null : status is null ? new CounterTotal(tenant, CandidateTable.StatusCounter) : new CounterTotal(tenant, CandidateTable.StatusCounter, status));

    /// <summary>A candidate's every state change, in order.</summary>
    public static async Task<IReadOnlyList<CandidateHistoryEntry>> HistoryAsync(NpgsqlDataSource db, Guid id)
    {
        await using var command = db.CreateCommand(
            "SELECT at, actor, action, from_status, to_status, note FROM candidate_history WHERE candidate_id = $1 ORDER BY seq");
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        await using var reader = await command.ExecuteReaderAsync();
        var history = new List<CandidateHistoryEntry>();
        while (await reader.ReadAsync())
        {
            history.Add(new CandidateHistoryEntry(
                reader.GetFieldValue<DateTimeOffset>(0), reader.GetString(1), reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5)));
        }
        return history;
    }
}
