using Actors.Data;
using Actors.Data.Candidates;
using Actors.Data.Jobs;
using Actors.Data.Schedules;
using Actors.Contracts;
using Actors.Contracts.Tenants;
using Actors.WebApi.Auth;
using Npgsql;

namespace Actors.WebApi.Infrastructure;

/// <summary>
/// One cap: <see cref="What"/> names it in the refusal (and its setting, <c>settings.max_{what}</c>),
/// <see cref="LimitOf"/> reads that setting, and the count is the sum of <see cref="CounterKeys"/> of
/// <see cref="CounterKind"/> (all keys when none).
/// </summary>
public sealed record TenantCap(string What, Func<TenantSettings, int> LimitOf, string CounterKind, string[] CounterKeys)
{
    public static readonly TenantCap Candidates = new("candidates", s => s.MaxCandidates, CandidateTable.StatusCounter, []);

    public static readonly TenantCap ActiveJobs = new("active_jobs", s => s.MaxActiveJobs, JobTable.StatusCounter, JobTable.ActiveStatuses);

    public static readonly TenantCap Schedules = new("schedules", s => s.MaxSchedules, ScheduleTable.Counter, []);
}

/// <summary>
/// Per-tenant caps on stored objects (OWASP API4): a create is refused with 422 <c>limit_exceeded</c>
/// when the tenant already holds its setting's worth. The count is the tenant's counter of that kind
/// (a few rows, whatever the tenant holds). A soft cap: creates racing at the limit may pass it by a few.
/// </summary>
public static class TenantQuota
{
    public static async Task EnsureRoomAsync(AccessCache access, NpgsqlDataSource db, string tenant, TenantCap cap,
        Func<Task<bool>>? isReplay = null)
    {
        var (limit, count) = await UsageAsync(access, db, tenant, cap);
        // A retried create (same Idempotency-Key) answers its first result even at the cap.
        if (count >= limit && (isReplay is null || !await isReplay()))
        {
            throw new ActorsException(ErrorCodes.LimitExceeded,
                $"The tenant holds {count} {cap.What}, its limit; delete some or ask an operator to raise settings.max_{cap.What}.");
        }
    }

    /// <summary>
    /// The cap (as set at most <see cref="AccessCache.Bound"/> ago: a raised cap applies within a second)
    /// and what the tenant holds of it, from its counter.
    /// </summary>
    public static async Task<(int Limit, long Count)> UsageAsync(AccessCache access, NpgsqlDataSource db, string tenant, TenantCap cap)
    {
        var settings = await access.SettingsAsync(tenant);
        return (cap.LimitOf(settings), await db.SumAsync(tenant, cap.CounterKind, cap.CounterKeys));
    }
}
