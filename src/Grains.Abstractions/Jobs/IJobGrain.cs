namespace Actors.Grains.Jobs;

/// <summary>
/// One background job, keyed by its id with the tenant as key extension: a job id asked for in
/// another tenant is a different, empty grain, so it reads as absent.
/// </summary>
[Alias("Actors.IJobGrain")]
public interface IJobGrain : IGrainWithGuidCompoundKey
{
    /// <summary>The job, or null when it was never submitted (or was removed by retention).</summary>
    [Alias("Get"), Orleans.Concurrency.ReadOnly] Task<JobInfo?> GetAsync();

    /// <summary>
    /// Queues the job. Submitting again with the same request hash answers the existing job
    /// (<see cref="JobInfo.Existing"/>); with another request hash it is refused (idempotency key reused).
    /// </summary>
    // Safe to retry: the API picks the id (from the Idempotency-Key, or a fresh one) before the call.
    [Alias("Submit"), SafeToRetry] Task<JobInfo> SubmitAsync(JobDraft draft);

    /// <summary>A queued job never starts; a running one is told through its cancellation token.</summary>
    [Alias("Cancel")] Task<JobInfo> CancelAsync(string actor);

    /// <summary>A failed or cancelled job goes back to the queue with its attempts reset.</summary>
    [Alias("Retry")] Task<JobInfo> RetryAsync(string actor);

    /// <summary>Called by the tenant's dispatcher: starts the job if it is queued and due. Idempotent.</summary>
    [Alias("Start")] Task<bool> StartAsync();

    /// <summary>
    /// Called by the dispatcher's sweep for a processing job whose heartbeat is old: if no run of it is
    /// alive here (its silo died), the stuck policy retries or fails it. Idempotent.
    /// </summary>
    [Alias("Check")] Task CheckAsync();

    /// <summary>Called by the job's own run when the handler returns (internal).</summary>
    [Alias("Finish")] Task FinishAsync(JobOutcome outcome);
}

/// <summary>
/// The per-tenant dispatcher: the only place that starts the tenant's jobs, in order, while the tenant
/// has free slots. It keeps its queue and its running set in memory and rebuilds them from the
/// <c>jobs</c> table when it activates and at every sweep.
/// </summary>
[Alias("Actors.IJobDispatcherGrain")]
public interface IJobDispatcherGrain : IGrainWithStringKey
{
    /// <summary>A job was stored as queued (submitted, retried, back from a stopped run).</summary>
    [Alias("Queued"), Orleans.Concurrency.OneWay] Task QueuedAsync(Guid jobId);

    /// <summary>Jobs were stored as queued together (a batch), in this order.</summary>
    [Alias("QueuedMany"), Orleans.Concurrency.OneWay] Task QueuedManyAsync(Guid[] jobIds);

    /// <summary>A job left processing (it ended, or went back to the queue): its slot is free.</summary>
    [Alias("Ended"), Orleans.Concurrency.OneWay] Task EndedAsync(Guid jobId);

    /// <summary>Something outside the queue changed (the tenant's settings or status): look again.</summary>
    [Alias("Notify"), Orleans.Concurrency.OneWay] Task NotifyAsync();

    /// <summary>
    /// The durable wake-up's work (<see cref="IJobSweeperGrain"/>): counts the running jobs again from the
    /// table, asks every processing job whose heartbeat stopped to check itself, and starts what is queued
    /// and due. Idempotent. Answers how many jobs it started.
    /// </summary>
    [Alias("Sweep")] Task<int> SweepAsync();
}

/// <summary>
/// Queues many jobs of one tenant at once (<c>POST /jobs/batch</c>): one statement stores them all,
/// one message tells the dispatcher; each job's grain activates when its job starts.
/// A stateless worker, so each silo serves batches locally.
/// </summary>
[Alias("Actors.IJobIntakeGrain")]
public interface IJobIntakeGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// Validates each item by its type's handler and stores the valid ones as queued, in order. An item
    /// whose id is already stored answers that job when its request hash matches (a replay) and
    /// <c>idempotency_key_reused</c> when not. New items past <paramref name="room"/> are refused
    /// <c>limit_exceeded</c> (<paramref name="limit"/> is named in the message). Answers one outcome per item.
    /// </summary>
    // Safe to retry: the API picks every id before the call, and a repeated item answers as a replay.
    [Alias("Submit"), SafeToRetry]
    Task<IReadOnlyList<JobIntakeOutcome>> SubmitAsync(string tenantId, IReadOnlyList<JobIntakeItem> items, int room, int limit);
}

[GenerateSerializer, Alias("Actors.JobIntakeItem")]
public sealed record JobIntakeItem([property: Id(0)] Guid Id, [property: Id(1)] JobDraft Draft, [property: Id(2)] bool Keyed);

/// <summary>An item's job (<see cref="Existing"/> for a replay) or the domain error that refused it.</summary>
[GenerateSerializer, Alias("Actors.JobIntakeOutcome")]
public sealed record JobIntakeOutcome(
    [property: Id(0)] Guid Id,
    [property: Id(1)] JobStatus Status,
    [property: Id(2)] bool Existing,
    [property: Id(3)] ActorsException? Error);

/// <summary>
/// One for the cluster: its reminder is the durable wake-up of the job engine (one reminder row, not
/// one per job). Each tick sweeps the dispatcher of every tenant with unfinished jobs.
/// </summary>
[Alias("Actors.IJobSweeperGrain")]
public interface IJobSweeperGrain : IGrainWithStringKey
{
    /// <summary>Makes sure the reminder exists (every silo calls it at start; idempotent).</summary>
    [Alias("Ensure")] Task EnsureScheduledAsync();

    /// <summary>One sweep now; answers how many tenants it swept.</summary>
    [Alias("Run")] Task<int> RunAsync();
}

[GenerateSerializer, Alias("Actors.JobStatus")]
public enum JobStatus
{
    Queued = 0,
    Processing = 1,
    Completed = 2,
    Failed = 3,
    Cancelled = 4,
}

[GenerateSerializer, Alias("Actors.JobDraft")]
public sealed record JobDraft(
    [property: Id(0)] string Type,
    [property: Id(1)] string ParametersJson,
    [property: Id(2)] int? MaxAttempts,
    [property: Id(3)] string RequestHash,
    [property: Id(4)] string Actor,
    [property: Id(5)] Guid? ScheduleId);

[GenerateSerializer, Alias("Actors.JobOutcomeKind")]
public enum JobOutcomeKind
{
    Succeeded = 0,
    Failed = 1,
    Cancelled = 2,
    TimedOut = 3,
}

[GenerateSerializer, Alias("Actors.JobOutcome")]
public sealed record JobOutcome(
    [property: Id(0)] JobOutcomeKind Kind,
    [property: Id(1)] string? ResultJson,
    [property: Id(2)] string? ErrorCode,
    [property: Id(3)] string? ErrorMessage,
    [property: Id(4)] bool Retryable,
    [property: Id(5)] int RunId);

[GenerateSerializer, Alias("Actors.JobInfo")]
public sealed record JobInfo
{
    [Id(0)] public Guid Id { get; init; }
    [Id(1)] public string TenantId { get; init; } = "";
    [Id(2)] public string Type { get; init; } = "";
    [Id(3)] public string ParametersJson { get; init; } = "{}";
    [Id(4)] public JobStatus Status { get; init; }
    [Id(5)] public int Attempts { get; init; }
    [Id(6)] public int MaxAttempts { get; init; }
    [Id(7)] public long Processed { get; init; }
    [Id(8)] public long? Total { get; init; }
    [Id(9)] public string? ResultJson { get; init; }
    [Id(10)] public string? ErrorCode { get; init; }
    [Id(11)] public string? ErrorMessage { get; init; }
    [Id(12)] public DateTimeOffset CreatedAt { get; init; }
    [Id(13)] public DateTimeOffset? StartedAt { get; init; }
    [Id(14)] public DateTimeOffset? HeartbeatAt { get; init; }
    [Id(15)] public DateTimeOffset? CompletedAt { get; init; }
    [Id(16)] public Guid? ScheduleId { get; init; }
    [Id(17)] public DateTimeOffset? NextAttemptAt { get; init; }
    [Id(18)] public bool CancelRequested { get; init; }
    /// <summary>True when a submission found this job already there (same idempotency key).</summary>
    [Id(19)] public bool Existing { get; init; }
}

/// <summary>Stable codes for job failures (also problem-details types).</summary>
public static class JobErrorCodes
{
    public const string HandlerFailed = "handler_failed";
    public const string TimedOut = "timed_out";
    public const string Stuck = "stuck";
    public const string UnknownType = "unknown_type";
}

/// <summary>
/// Names of the job types that code submits by name. The list of types is not here: it is the handlers
/// the silos register (<see cref="IJobTypesGrain"/>).
/// </summary>
public static class JobTypes
{
    public const string DiagnosticsSleep = "diagnostics.sleep";
    public const string CandidatesImport = "candidates.import";
    public const string BillingProvision = "billing.provision";
    public const string EmailSend = "email.send";
}
