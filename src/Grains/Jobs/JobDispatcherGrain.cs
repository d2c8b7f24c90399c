using Actors.Contracts.Jobs;
using Actors.Contracts;
using Actors.Infrastructure.Jobs;
using System.Diagnostics;
using Actors.Contracts.Tenants;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Actors.Data.Jobs;

namespace Actors.Grains.Jobs;

/// <summary>
/// One per tenant: the only place that starts that tenant's jobs, so at most
/// <see cref="TenantSettings.MaxConcurrentJobs"/> run at once across the cluster.
/// <para>
/// Its counts are in memory: a line of queued job ids (told by each job as it is queued, or read from
/// the <c>jobs</c> table in order when the line runs dry) and the set of jobs it started that have not
/// ended. Nothing is counted in SQL per job. The table stays the truth: the running set is rebuilt from
/// it when the dispatcher activates and at every sweep, and the line is refilled from it, so a lost
/// message or a dead silo costs at most one sweep's delay, never a job.
/// </para>
/// </summary>
public sealed partial class JobDispatcherGrain(NpgsqlDataSource db, IOptions<JobOptions> options, ILogger<JobDispatcherGrain> logger)
    : Grain, IJobDispatcherGrain
{
    private const string Prefix = "dispatch:";

    /// <summary>Queued jobs held in memory; beyond it they wait in the table, read when the line runs dry.</summary>
    public const int LineLength = 2048;

    // While active: due retries and jobs told to no one are looked for every Tick, running jobs are
    // recounted every FullSweepEvery ticks.
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(2);
    private const int FullSweepEvery = 5;
    private static readonly TimeSpan SettingsAge = TimeSpan.FromSeconds(1);

    private readonly Queue<Guid> _line = new();
    private readonly HashSet<Guid> _inLine = [];
    private readonly HashSet<Guid> _running = [];
    // Started but not yet answered: kept in the running set whatever a recount reads.
    private readonly HashSet<Guid> _starting = [];
    // When each running job was started: a run is stored as processing only at its first heartbeat
    // (JobGrain), so a recount keeps the ones started within RecentStart whatever the table says.
    private readonly Dictionary<Guid, long> _startedAt = [];
    private static readonly TimeSpan RecentStart = TimeSpan.FromSeconds(5);
    // Ended while a recount was reading the table: its snapshot may still show them processing.
    private readonly HashSet<Guid> _endedDuringRecount = [];
    private readonly List<Guid> _toldDuringRefill = [];
    private bool _moreInTable = true;
    private bool _refilling;
    private bool _recounting;
    private int _ticks;
    private TenantInfo? _tenant;
    private long _tenantReadAt;
    private IGrainTimer? _timer;

    public static string Key(string tenantId) => Prefix + tenantId;

    private string TenantId => this.GetPrimaryKeyString()[Prefix.Length..];

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _timer = this.RegisterGrainTimer(OnTickAsync, new GrainTimerCreationOptions(Tick, Tick) { KeepAlive = false });
        await RecountAsync(checkStuck: false);
    }

    public Task QueuedAsync(Guid jobId) => QueuedManyAsync([jobId]);

    public Task QueuedManyAsync(Guid[] jobIds)
    {
        foreach (var id in jobIds)
        {
            // The refill's read may have been taken before these jobs were stored: keep them for after.
            if (_refilling)
            {
                _toldDuringRefill.Add(id);
            }
            else
            {
                Enlist(id);
            }
        }
        return PumpAsync();
    }

    public Task EndedAsync(Guid jobId)
    {
        _running.Remove(jobId);
        _startedAt.Remove(jobId);
        if (_recounting)
        {
            _endedDuringRecount.Add(jobId);
        }
        return PumpAsync();
    }

    public Task NotifyAsync()
    {
        _tenant = null;
        _moreInTable = true;
        return PumpAsync();
    }

    public async Task<int> SweepAsync()
    {
        var before = Started;
        await RecountAsync(checkStuck: true);
        _moreInTable = true;
        await PumpAsync();
        return (int)(Started - before);
    }

    private long Started { get; set; }

    private async Task OnTickAsync(CancellationToken cancellationToken)
    {
        if (++_ticks % FullSweepEvery == 0)
        {
            await RecountAsync(checkStuck: true);
        }
        // The tenant's settings are re-read by TenantAsync once they are SettingsAge old (shorter than a tick).
        _moreInTable = true;
        await PumpAsync();
    }

    /// <summary>Puts a queued job in the line, unless jobs older than it may still be waiting in the table.</summary>
    private void Enlist(Guid jobId)
    {
        if (_running.Contains(jobId) || _inLine.Contains(jobId))
        {
            return;
        }
        if (_moreInTable || _line.Count >= LineLength)
        {
            _moreInTable = true; // it is in the table, and will be read from there in its turn
            return;
        }
        _inLine.Add(jobId);
        _line.Enqueue(jobId);
    }

    /// <summary>Starts jobs from the line while the tenant has free slots. Safe to interleave with itself.</summary>
    private async Task PumpAsync()
    {
        var tenant = await TenantAsync();
        if (tenant is not { IsActive: true })
        {
            return;
        }
        var limit = tenant.Settings.MaxConcurrentJobs;
        while (_running.Count < limit)
        {
            if (_line.Count == 0)
            {
                if (!_moreInTable || _refilling)
                {
                    return;
                }
                await RefillAsync();
                if (_line.Count == 0)
                {
                    return;
                }
                continue;
            }
            var id = _line.Dequeue();
            _inLine.Remove(id);
            if (_running.Add(id))
            {
                _starting.Add(id);
                _startedAt[id] = Stopwatch.GetTimestamp();
                Started++;
                _ = StartAsync(id);
            }
        }
    }

    private async Task StartAsync(Guid id)
    {
        var started = false;
        try
        {
            started = await GrainFactory.GetGrain<IJobGrain>(id, TenantId).StartAsync();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Still queued in the table: a later refill reads it again.
            _moreInTable = true;
            LogStartFailed(logger, id, TenantId, ex.Message);
        }
        finally
        {
            _starting.Remove(id);
        }
        if (!started)
        {
            // Not queued any more (cancelled, started by a sweep's retry), or not due yet: its slot is free.
            _running.Remove(id);
            _startedAt.Remove(id);
            await PumpAsync();
        }
    }

    /// <summary>Reads the next queued, due jobs of the tenant in order (the index of status and creation).</summary>
    private async Task RefillAsync()
    {
        _refilling = true;
        try
        {
            var wanted = LineLength - _line.Count;
            var due = await JobQueries.DueAsync(db, TenantId, wanted);
            foreach (var id in due)
            {
                if (!_running.Contains(id) && _inLine.Add(id))
                {
                    _line.Enqueue(id);
                }
            }
            _moreInTable = due.Count == wanted;
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            _moreInTable = true;
            LogReadFailed(logger, TenantId, ex.Message);
        }
        finally
        {
            _refilling = false;
            foreach (var id in _toldDuringRefill)
            {
                Enlist(id);
            }
            _toldDuringRefill.Clear();
        }
    }

    /// <summary>
    /// Rebuilds the running set from the table (the jobs processing anywhere in the cluster) and, when
    /// asked, has each processing job whose heartbeat is older than the stuck limit check itself.
    /// </summary>
    private async Task RecountAsync(bool checkStuck)
    {
        if (_recounting)
        {
            return;
        }
        _recounting = true;
        var stuck = new List<Guid>();
        try
        {
            var processing = new HashSet<Guid>();
            foreach (var (id, isStuck) in await JobQueries.ProcessingAsync(db, TenantId, options.Value.StuckAfter))
            {
                processing.Add(id);
                if (isStuck)
                {
                    stuck.Add(id);
                }
            }
            processing.ExceptWith(_endedDuringRecount);
            processing.UnionWith(_starting);
            foreach (var (id, at) in _startedAt.ToList())
            {
                if (Stopwatch.GetElapsedTime(at) < RecentStart && _running.Contains(id))
                {
                    processing.Add(id);
                }
                else if (!processing.Contains(id))
                {
                    _startedAt.Remove(id);
                }
            }
            _running.Clear();
            _running.UnionWith(processing);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            LogReadFailed(logger, TenantId, ex.Message);
        }
        finally
        {
            _recounting = false;
            _endedDuringRecount.Clear();
        }
        if (checkStuck && stuck.Count > 0)
        {
            try
            {
                await Task.WhenAll(stuck.Select(id => GrainFactory.GetGrain<IJobGrain>(id, TenantId).CheckAsync()));
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogCheckFailed(logger, TenantId, ex.Message); // the next sweep asks again
            }
        }
    }

    private async Task<TenantInfo?> TenantAsync()
    {
        if (_tenant is null || Stopwatch.GetElapsedTime(_tenantReadAt) > SettingsAge)
        {
            _tenant = await GrainFactory.GetGrain<ITenantGrain>(GrainKeys.Tenant(TenantId)).GetAsync();
            _tenantReadAt = Stopwatch.GetTimestamp();
        }
        return _tenant;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} of tenant {TenantId} could not be started now: {Reason}")]
    private static partial void LogStartFailed(ILogger logger, Guid jobId, string tenantId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The job dispatcher of tenant {TenantId} could not check its stuck jobs: {Reason}")]
    private static partial void LogCheckFailed(ILogger logger, string tenantId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The job dispatcher of tenant {TenantId} could not read the jobs table: {Reason}")]
    private static partial void LogReadFailed(ILogger logger, string tenantId, string reason);
}
