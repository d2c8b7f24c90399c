using Actors.Grains;
using Actors.Grains.Candidates;
using Actors.WebApi.Candidates;
using Actors.WebApi.Infrastructure;
using Npgsql;

namespace Actors.WebApi.ReviewConsole;

/// <summary>
/// The page of <c>GET /candidates</c> (same query, index range and counters). Kept here rather than
/// shared out of <c>CandidatesApi</c> while that file is being changed on another branch; fold the two
/// into one when they meet.
/// </summary>
public static class CandidateList
{
    private static readonly string[] Statuses = ["pending", "approved", "rejected"];

    public static async Task<Page<CandidateListItem>> PageAsync(NpgsqlDataSource db, string? tenant, string? status, string? product, Paging page)
    {
        if (status is not null && !Statuses.Contains(status))
        {
            throw ActorsException.Invalid("status", "must be pending, approved or rejected");
        }
        if (product is { Length: > CandidateRules.MaxProductLength })
        {
            throw ActorsException.Invalid("product", $"must be at most {CandidateRules.MaxProductLength} characters");
        }
        return await PagedQuery.ReadAsync(db,
            "id, tenant_id, company_name, contact_email, products, status, provisioning, provider_id, version, created_at, updated_at", "candidates",
            Sql.Where(tenant is null ? null : "tenant_id = @tenant", status is null ? null : "status = @status",
                product is null ? null : "products @> ARRAY[@product::text]"),
            new KeysetOrder("created_at", "id", "uuid"), page, [("tenant", tenant), ("status", status), ("product", product)],
            r => new CandidateListItem(r.GetGuid(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetFieldValue<string[]>(4), r.GetString(5),
                r.GetString(6), r.IsDBNull(7) ? null : r.GetString(7), r.GetInt64(8), r.GetFieldValue<DateTimeOffset>(9), r.GetFieldValue<DateTimeOffset>(10)),
            product is not null ? null : status is null ? new CounterTotal(tenant, "candidate.status") : new CounterTotal(tenant, "candidate.status", status));
    }
}
