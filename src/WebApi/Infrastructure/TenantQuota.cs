using Actors.Grains;
using Actors.Grains.Tenants;
using Actors.Infrastructure.Database;
using Npgsql;

namespace Actors.WebApi.Infrastructure;

/// <summary>
/// Per-tenant caps on stored objects (OWASP API4): a create is refused with 422 <c>limit_exceeded</c>
/// when the tenant already holds its setting's worth. The count is the tenant's counter of that kind
/// (a few rows, whatever the tenant holds). A soft cap: creates racing at the limit may pass it by a few.
/// </summary>
public static class TenantQuota
{
    public static async Task EnsureRoomAsync(IClusterClient cluster, NpgsqlDataSource db, string tenant, string what,
        Func<TenantSettings, int> limitOf, string counterKind, string[] counterKeys, Func<Task<bool>>? isReplay = null)
    {
        var settings = (await cluster.GetGrain<ITenantGrain>(GrainKeys.Tenant(tenant)).GetAsync())?.Settings ?? new TenantSettings();
        var limit = limitOf(settings);
        var count = await db.SumAsync(tenant, counterKind, counterKeys);
        // A retried create (same Idempotency-Key) answers its first result even at the cap.
        if (count >= limit && (isReplay is null || !await isReplay()))
        {
            throw new ActorsException(ErrorCodes.LimitExceeded,
                $"The tenant holds {count} {what}, its limit; delete some or ask an operator to raise settings.max_{what}.");
        }
    }
}
