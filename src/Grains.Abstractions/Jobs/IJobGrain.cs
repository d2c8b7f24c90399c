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

    /// <summary>Called by the job's own run when the handler returns (internal).</summary>
    [Alias("Finish")] Task FinishAsync(JobOutcome outcome);
}

/// <summary>The per-tenant dispatcher: starts queued jobs in order while the tenant has free slots.</summary>
[Alias("Actors.IJobDispatcherGrain")]
public interface IJobDispatcherGrain : IGrainWithStringKey
{
    [Alias("Notify"), Orleans.Concurrency.OneWay] Task NotifyAsync();

    [Alias("Dispatch")] Task<int> DispatchAsync();
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
    public const string InvalidParameters = "invalid_parameters";
    public const string TimedOut = "timed_out";
    public const string Stuck = "stuck";
    public const string UnknownType = "unknown_type";
}

/// <summary>The job types the silos run.</summary>
public static class JobTypes
{
    public const string DiagnosticsSleep = "diagnostics.sleep";
    public const string CandidatesImport = "candidates.import";
    public const string BillingProvision = "billing.provision";
    public const string EmailSend = "email.send";

    public static readonly IReadOnlyList<string> All = [DiagnosticsSleep, CandidatesImport, BillingProvision, EmailSend];
}
