using Actors.Grains.Tenants;
using Actors.Infrastructure.Database;
using Npgsql;

namespace Actors.Grains.Jobs;

/// <summary>
/// One per tenant: the only place that starts that tenant's jobs, so at most
/// <see cref="TenantSettings.MaxConcurrentJobs"/> run at once across the cluster. It counts and
/// orders from the <c>jobs</c> table and its counters, which each job grain's write keeps in the same
/// statement before answering, so the counts hold even across silo failures.
/// </summary>
public sealed class JobDispatcherGrain(NpgsqlDataSource db) : Grain, IJobDispatcherGrain
{
    private const string Prefix = "dispatch:";
    private static readonly TimeSpan Sweep = TimeSpan.FromSeconds(2);
    private IGrainTimer? _timer;

    public static string Key(string tenantId) => Prefix + tenantId;

    private string TenantId => this.GetPrimaryKeyString()[Prefix.Length..];

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // While active, look again every few seconds for jobs whose retry delay has passed.
        _timer = this.RegisterGrainTimer(_ => DispatchAsync(), new GrainTimerCreationOptions(Sweep, Sweep) { KeepAlive = false });
        return Task.CompletedTask;
    }

    public async Task NotifyAsync() => await DispatchAsync();

    public async Task<int> DispatchAsync()
    {
        var tenant = await GrainFactory.GetGrain<ITenantGrain>(GrainKeys.Tenant(TenantId)).GetAsync();
        if (tenant is not { IsActive: true })
        {
            return 0;
        }
        var free = tenant.Settings.MaxConcurrentJobs - (int)await db.SumAsync(TenantId, "job.status", "processing");
        if (free <= 0)
        {
            return 0;
        }
        await using var connection = await db.OpenConnectionAsync();
        await using var next = new NpgsqlCommand(
            """
            SELECT id FROM jobs
             WHERE tenant_id = @t AND status = 'queued' AND (next_attempt_at IS NULL OR next_attempt_at <= now())
             ORDER BY created_at, id LIMIT @n
            """, connection);
        next.Parameters.AddWithValue("t", TenantId);
        next.Parameters.AddWithValue("n", free * 2);
        var candidates = new List<Guid>();
        await using (var reader = await next.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                candidates.Add(reader.GetGuid(0));
            }
        }
        await connection.CloseAsync();

        var started = 0;
        foreach (var id in candidates)
        {
            if (started >= free)
            {
                break;
            }
            if (await GrainFactory.GetGrain<IJobGrain>(id, TenantId).StartAsync())
            {
                started++;
            }
        }
        return started;
    }
}
