using Npgsql;

namespace Actors.Data.Schedules;

public sealed record ScheduleListItem(Guid Id, string TenantId, string Name, string Cron, string TimeZone, string JobType, bool Paused, DateTimeOffset? LastRunAt);

/// <summary>The read side of <c>schedules</c>.</summary>
public static class ScheduleQueries
{
    /// <summary>A page of the schedules not deleted, newest first (<paramref name="tenant"/> null: every tenant's).</summary>
    public static Task<Page<ScheduleListItem>> PageAsync(NpgsqlDataSource db, string? tenant, Paging page) =>
        PagedQuery.ReadAsync(db, "id, tenant_id, name, cron, time_zone, job_type, paused, last_run_at",
            "schedules", Sql.Where(tenant is null ? null : "tenant_id = @t", "NOT deleted"), new KeysetOrder("created_at", "id", "uuid"), page, [("t", tenant)],
            r => new ScheduleListItem(r.GetGuid(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5),
                r.GetBoolean(6), r.IsDBNull(7) ? null : r.GetFieldValue<DateTimeOffset>(7)),
            new CounterTotal(tenant, ScheduleTable.Counter));
}
