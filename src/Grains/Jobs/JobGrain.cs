using Actors.Contracts.Jobs;
using Actors.Contracts;
using Actors.Grains.Storage;
using Actors.Infrastructure.Jobs;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Actors.Data.Jobs;

namespace Actors.Grains.Jobs;

/// <summary>
/// A job's lifecycle: queued, processing, completed, failed, cancelled. The handler runs off the
/// grain's turn (<see cref="JobRunner"/>) and reports back through <see cref="FinishAsync"/>; a failed
/// attempt is retried or ends the job (<see cref="JobRetryPolicy"/>); each transition is counted
/// (<see cref="JobMetrics"/>).
/// </summary>
public sealed partial class JobGrain(
    [PersistentState("job", DomainGrainStorage.Name)] IPersistentState<JobState> state,
    IEnumerable<IJobHandler> handlers,
    IOptions<JobOptions> options,
    TimeProvider clock,
    ILogger<JobGrain> logger) : Grain, IJobGrain, IRemindable
{
    private readonly JobOptions _options = options.Value;

    // The run this activation started, if any. A processing job with no local run was started by an
    // activation that is gone (its silo died): the job sweep (CheckAsync) decides what happens to it.
    private JobRunner? _runner;
    private IGrainTimer? _heartbeat;
    // The request that submitted (or retried) the job, for its run's log lines; memory only.
    private string? _requestId;

    // A batch (JobIntakeGrain) stores rows without their grain.
    private readonly StoredRow<JobState> _row = new(state, s => s.Id != Guid.Empty);

    private bool Exists => _row.Exists;
    private JobState S => state.State;

    public async Task<JobInfo?> GetAsync()
    {
        await _row.ReadIfAbsentAsync();
        return Exists ? ToInfo() : null;
    }

    public async Task<JobInfo> SubmitAsync(JobDraft draft)
    {
        await _row.ReadIfAbsentAsync();
        if (Exists)
        {
            return S.RequestHash == draft.RequestHash ? ToInfo() with { Existing = true } : throw JobDrafts.KeyReused();
        }
        if (JobDrafts.Refusal(handlers, draft, out var handler) is { } refusal)
        {
            throw refusal;
        }
        _requestId = RequestContext.Get("request_id") as string;
        var id = this.GetPrimaryKey(out var tenant);
        var now = clock.GetUtcNow();
        state.State = new JobState
        {
            Id = id,
            TenantId = tenant!,
            Type = draft.Type,
            Parameters = draft.ParametersJson,
            Status = JobStatus.Queued,
            MaxAttempts = draft.MaxAttempts ?? handler!.DefaultMaxAttempts,
            CreatedAt = now,
            ScheduleId = draft.ScheduleId,
            RequestHash = draft.RequestHash,
            CreatedBy = draft.Actor,
        };
        await EnqueueAsync();
        return ToInfo();
    }

    public async Task<bool> StartAsync()
    {
        await _row.ReadIfAbsentAsync();
        if (!Exists || S.Status != JobStatus.Queued || _runner is not null || S.NextAttemptAt > clock.GetUtcNow())
        {
            return false;
        }
        var handler = Handler(S.Type);
        if (handler is null)
        {
            await EndAsync(JobStatus.Failed, null, JobErrorCodes.UnknownType, $"No handler for job type '{S.Type}' on this silo.");
            return false;
        }
        var now = clock.GetUtcNow();
        S.Status = JobStatus.Processing;
        S.Attempts++;
        S.StartedAt = now;
        S.HeartbeatAt = now;
        S.NextAttemptAt = null;
        S.Processed = 0;
        S.Total = null;
        // Not stored yet: the run's first heartbeat (after StartWriteDelay) stores it as processing, so a
        // job that ends sooner is written once, queued to its end. Until then its row says queued; a silo
        // that dies meanwhile leaves it queued and the dispatcher starts it again (the attempt it lost
        // is not counted). Nothing else can start it meanwhile: this activation answers StartAsync.
        JobMetrics.Reached(S.Type, "processing");
        Launch(handler);
        return true;
    }

    /// <summary>How long a run goes unrecorded: its first heartbeat, at most a second after its start.</summary>
    private TimeSpan StartWriteDelay => _options.HeartbeatInterval < TimeSpan.FromSeconds(1) ? _options.HeartbeatInterval : TimeSpan.FromSeconds(1);

    private void Launch(IJobHandler handler)
    {
        using var parameters = JsonDocument.Parse(S.Parameters);
        var run = new JobRun(S.Id, S.TenantId, S.Attempts, S.MaxAttempts, parameters.RootElement.Clone(), GrainFactory);
        LogStarted(logger, S.Id, S.Type, S.TenantId, S.Attempts);
        _runner = JobRunner.Start(handler, run, this.AsReference<IJobGrain>(), logger, _requestId);
        _heartbeat = this.RegisterGrainTimer(HeartbeatAsync,
            new GrainTimerCreationOptions(StartWriteDelay, _options.HeartbeatInterval) { KeepAlive = true });
    }

    private async Task HeartbeatAsync(CancellationToken cancellationToken)
    {
        if (_runner is not { } runner || !Exists || S.Status != JobStatus.Processing)
        {
            return;
        }
        var handler = Handler(S.Type);
        if (handler is not null && runner.Elapsed > handler.Timeout && !runner.TimedOut)
        {
            runner.TimeOut();
        }
        S.HeartbeatAt = clock.GetUtcNow();
        S.Processed = runner.Run.Processed;
        S.Total = runner.Run.Total;
        await state.PersistAsync(this);
    }

    public async Task FinishAsync(JobOutcome outcome)
    {
        if (_runner is not { } runner || outcome.RunId != runner.Id || !Exists || S.Status != JobStatus.Processing)
        {
            return;
        }
        StopRun();
        S.Processed = runner.Run.Processed;
        S.Total = runner.Run.Total;
        var elapsed = runner.Elapsed;
        var kind = outcome.Kind == JobOutcomeKind.Cancelled && runner.TimedOut && !S.CancelRequested ? JobOutcomeKind.TimedOut : outcome.Kind;
        JobMetrics.RunEnded(S.Type, kind, elapsed);

        switch (kind)
        {
            case JobOutcomeKind.Succeeded:
                await EndAsync(JobStatus.Completed, outcome.ResultJson, null, null);
                break;
            case JobOutcomeKind.Cancelled:
                await EndAsync(JobStatus.Cancelled, null, "cancelled", "Cancelled while running.");
                break;
            case JobOutcomeKind.TimedOut:
                await FailOrRetryAsync(JobErrorCodes.TimedOut, "The run exceeded its type's timeout.", retryable: true);
                break;
            default:
                await FailOrRetryAsync(outcome.ErrorCode ?? JobErrorCodes.HandlerFailed, outcome.ErrorMessage ?? "failed", outcome.Retryable);
                break;
        }
    }

    public async Task<JobInfo> CancelAsync(string actor)
    {
        await _row.EnsureExistsAsync("Job");
        switch (S.Status)
        {
            case JobStatus.Queued:
                await EndAsync(JobStatus.Cancelled, null, "cancelled", $"Cancelled by {actor} before it started.");
                break;
            case JobStatus.Processing when _runner is not null:
                S.CancelRequested = true;
                await state.PersistAsync(this);
                _runner?.Cancel();
                break;
            case JobStatus.Processing:
                // Its run died with its silo: nothing is running, so it ends here.
                await EndAsync(JobStatus.Cancelled, null, "cancelled", $"Cancelled by {actor}; its run had stopped.");
                break;
            default:
                throw ActorsException.Conflict($"Job is already {ActorsJson.Name(S.Status)}.");
        }
        return ToInfo();
    }

    public async Task<JobInfo> RetryAsync(string actor)
    {
        await _row.EnsureExistsAsync("Job");
        if (S.Status is not (JobStatus.Failed or JobStatus.Cancelled))
        {
            throw ActorsException.Conflict($"Only failed or cancelled jobs can be retried; this one is {ActorsJson.Name(S.Status)}.");
        }
        _requestId = RequestContext.Get("request_id") as string ?? _requestId;
        S.Status = JobStatus.Queued;
        S.Attempts = 0;
        S.ErrorCode = null;
        S.ErrorMessage = null;
        S.CompletedAt = null;
        S.NextAttemptAt = null;
        S.CancelRequested = false;
        S.Result = null;
        await EnqueueAsync();
        return ToInfo();
    }

    /// <summary>
    /// Asked by the dispatcher's sweep when the stored heartbeat is old. A run alive here is not stuck
    /// (its next heartbeat is due); with none, the silo that ran it was lost and the stuck policy applies.
    /// Asking twice changes nothing.
    /// </summary>
    public async Task CheckAsync()
    {
        if (Exists && S.Status == JobStatus.Processing && _runner is null
            && clock.GetUtcNow() - (S.HeartbeatAt ?? S.CreatedAt) > _options.StuckAfter)
        {
            LogStuck(logger, S.Id, S.Type, S.TenantId, S.HeartbeatAt);
            await FailOrRetryAsync(JobErrorCodes.Stuck, "Its heartbeat stopped (the silo running it was lost).", retryable: true);
        }
    }

    /// <summary>
    /// The reminder (<c>job-watchdog</c>) each unfinished job held before the cluster-wide sweep
    /// (<see cref="JobSweeperGrain"/>) replaced it: a database upgraded in place may still tick one. It is
    /// removed, after doing what the sweep would.
    /// </summary>
    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (await this.GetReminder(reminderName) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
        await CheckAsync();
    }

    /// <summary>
    /// Stores the job as queued and tells the tenant's dispatcher. The message may be lost (its silo
    /// dies): the job is in the table, where the dispatcher's refill or the next sweep finds it.
    /// </summary>
    private async Task EnqueueAsync()
    {
        await state.PersistAsync(this);
        JobMetrics.Reached(S.Type, "queued");
        Dispatcher().QueuedAsync(S.Id).Ignore();
    }

    private async Task FailOrRetryAsync(string code, string message, bool retryable)
    {
        S.ErrorCode = code;
        S.ErrorMessage = message;
        if (JobRetryPolicy.Retries(S, retryable))
        {
            S.Status = JobStatus.Queued;
            S.NextAttemptAt = clock.GetUtcNow() + JobRetryPolicy.Delay(_options, S.Attempts);
            await state.PersistAsync(this);
            JobMetrics.Reached(S.Type, "retrying");
            LogRetry(logger, S.Id, S.Type, S.TenantId, S.Attempts, code, S.NextAttemptAt.Value);
            // Its slot is free; the dispatcher reads it back from the table once its retry is due.
            Dispatcher().EndedAsync(S.Id).Ignore();
            return;
        }
        await EndAsync(JobStatus.Failed, null, code, message);
    }

    private async Task EndAsync(JobStatus status, string? result, string? code, string? message)
    {
        StopRun();
        S.Status = status;
        S.Result = result;
        if (status != JobStatus.Completed)
        {
            S.ErrorCode = code;
            S.ErrorMessage = message;
        }
        else
        {
            S.ErrorCode = null;
            S.ErrorMessage = null;
        }
        S.CompletedAt = clock.GetUtcNow();
        S.NextAttemptAt = null;
        await state.PersistAsync(this);
        JobMetrics.Reached(S.Type, ActorsJson.Name(status));
        if (code is null)
        {
            LogEnded(logger, S.Id, S.Type, S.TenantId, ActorsJson.Name(S.Status));
        }
        else
        {
            LogEndedWithError(logger, S.Id, S.Type, S.TenantId, ActorsJson.Name(S.Status), code);
        }
        Dispatcher().EndedAsync(S.Id).Ignore();
    }

    /// <summary>
    /// A silo stopping gracefully hands its running jobs back to the queue at once (the attempt is
    /// not counted), instead of leaving them for the job sweep.
    /// </summary>
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_runner is not null && Exists && S.Status == JobStatus.Processing)
        {
            _runner.Cancel();
            StopRun();
            S.Status = JobStatus.Queued;
            S.Attempts = Math.Max(0, S.Attempts - 1);
            S.HeartbeatAt = clock.GetUtcNow();
            try
            {
                await state.WriteStateAsync(cancellationToken);
                Dispatcher().EndedAsync(S.Id).Ignore();
                Dispatcher().QueuedAsync(S.Id).Ignore();
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // The job sweep will find it stuck and requeue it.
                LogHandBackFailed(logger, S.Id, S.TenantId, ex.Message);
            }
        }
        await base.OnDeactivateAsync(reason, cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} of tenant {TenantId} could not be handed back on deactivation: {Reason}")]
    private static partial void LogHandBackFailed(ILogger logger, Guid jobId, string tenantId, string reason);

    private void StopRun()
    {
        _heartbeat?.Dispose();
        _heartbeat = null;
        _runner?.Dispose();
        _runner = null;
    }

    private IJobHandler? Handler(string type) => handlers.FirstOrDefault(h => h.Type == type);

    private IJobDispatcherGrain Dispatcher() => GrainFactory.GetGrain<IJobDispatcherGrain>(JobDispatcherGrain.Key(S.TenantId));

    private JobInfo ToInfo() => new()
    {
        Id = S.Id,
        TenantId = S.TenantId,
        Type = S.Type,
        ParametersJson = S.Parameters,
        Status = S.Status,
        Attempts = S.Attempts,
        MaxAttempts = S.MaxAttempts,
        Processed = _runner?.Run.Processed ?? S.Processed,
        Total = _runner?.Run.Total ?? S.Total,
        ResultJson = S.Result,
        ErrorCode = S.ErrorCode,
        ErrorMessage = S.ErrorMessage,
        CreatedAt = S.CreatedAt,
        StartedAt = S.StartedAt,
        HeartbeatAt = S.HeartbeatAt,
        CompletedAt = S.CompletedAt,
        ScheduleId = S.ScheduleId,
        NextAttemptAt = S.NextAttemptAt,
        CancelRequested = S.CancelRequested,
    };

    // Debug: a job's Information line is its end (one line per job, with its outcome).
    [LoggerMessage(Level = LogLevel.Debug, Message = "Job {JobId} ({JobType}) of tenant {TenantId} started, attempt {Attempt}")]
    private static partial void LogStarted(ILogger logger, Guid jobId, string jobType, string tenantId, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} ({JobType}) of tenant {TenantId} attempt {Attempt} failed with {ErrorCode}; retry at {NextAttemptAt}")]
    private static partial void LogRetry(ILogger logger, Guid jobId, string jobType, string tenantId, int attempt, string errorCode, DateTimeOffset nextAttemptAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} ({JobType}) of tenant {TenantId} is stuck: last heartbeat {HeartbeatAt}")]
    private static partial void LogStuck(ILogger logger, Guid jobId, string jobType, string tenantId, DateTimeOffset? heartbeatAt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} ({JobType}) of tenant {TenantId} ended {Status}")]
    private static partial void LogEnded(ILogger logger, Guid jobId, string jobType, string tenantId, string status);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} ({JobType}) of tenant {TenantId} ended {Status} with {ErrorCode}")]
    private static partial void LogEndedWithError(ILogger logger, Guid jobId, string jobType, string tenantId, string status, string errorCode);
}
