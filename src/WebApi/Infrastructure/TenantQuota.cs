using Actors.Data;
using Actors.Contracts;
using Actors.Contracts.Tenants;
using Actors.WebApi.Auth;
using Npgsql;

namespace Actors.WebApi.Infrastructure;

/// <summary>
/// Per-tenant caps on stored objects (OWASP API4): a create is refused with 422 <c>limit_exceeded</c>
/// when the tenant already holds its setting's worth. The count is the tenant's counter of that kind
/// (a few rows, whatever the tenant holds). A soft cap: creates racing at the limit may pass it by a few.
/// </summary>
public static class TenantQuota
{
    public static async Task EnsureRoomAsync(AccessCache access, NpgsqlDataSource db, string tenant, string what,
        Func<TenantSettings, int> limitOf, string counterKind, string[] counterKeys, Func<Task<bool>>? isReplay = null)
    {
        var (limit, count) = await UsageAsync(access, db, tenant, limitOf, counterKind, counterKeys);
        // A retried create (same Idempotency-Key) answers its first result even at the cap.
        if (count >= limit && (isReplay is null || !await isReplay()))
        {
            throw new ActorsException(ErrorCodes.LimitExceeded,
                $"The tenant holds {count} {what}, its limit; delete some or ask an operator to raise settings.max_{what}.");
        }
    }

    /// <summary>
    /// The cap (as set at most <see cref="AccessCache.Bound"/> ago: a raised cap applies within a second)
    /// and what the tenant holds of it, from its counter.
    /// </summary>
    public static async Task<(int Limit, long Count)> UsageAsync(AccessCache access, NpgsqlDataSource db, string tenant,
        Func<TenantSettings, int> limitOf, string counterKind, string[] counterKeys)
    {
        var settings = await access.SettingsAsync(tenant);
        return (limitOf(settings), await db.SumAsync(tenant, counterKind, counterKeys));
    }
}
