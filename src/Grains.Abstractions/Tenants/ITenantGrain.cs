namespace Actors.Grains.Tenants;

/// <summary>One tenant, keyed by <see cref="GrainKeys.Tenant"/>. The cluster-wide authority for its limits.</summary>
[Alias("Actors.ITenantGrain")]
public interface ITenantGrain : IGrainWithStringKey
{
    /// <summary>The tenant, or null when it was never created.</summary>
    [Alias("Get"), SafeToRetry] Task<TenantInfo?> GetAsync();

    [Alias("Create")] Task<TenantInfo> CreateAsync(TenantDraft draft);

    [Alias("Update")] Task<TenantInfo> UpdateAsync(TenantPatch patch);

    [Alias("SetActive")] Task<TenantInfo> SetActiveAsync(bool active, string actor);

    /// <summary>
    /// Admits a batch of this tenant's requests at once, for an API process to spend locally for up to
    /// a second: <see cref="Admission.Granted"/> tokens (the requests waiting, or a twentieth of the
    /// request rate if more, as far as the bucket holds) are taken from the same bucket, so the rate
    /// holds across every API process. Refused when the tenant is missing or suspended, or when its
    /// request rate (a token bucket of <see cref="TenantSettings.RequestsPerSecond"/>) is spent.
    /// </summary>
    // Safe to retry: a repeated lease only spends more tokens of the request rate.
    [Alias("Lease"), SafeToRetry] Task<Admission> LeaseAsync(int waiting);
}

[GenerateSerializer, Alias("Actors.AdmissionResult")]
public enum AdmissionResult
{
    Admitted = 0,
    NotFound = 1,
    Suspended = 2,
    RateLimited = 3,
}

[GenerateSerializer, Alias("Actors.Admission")]
public sealed record Admission(
    [property: Id(0)] AdmissionResult Result,
    [property: Id(1)] double RetryAfterSeconds,
    [property: Id(2)] int Granted = 1)
{
    public static readonly Admission Admitted = new(AdmissionResult.Admitted, 0);
    public static readonly Admission NotFound = new(AdmissionResult.NotFound, 0);
    public static readonly Admission Suspended = new(AdmissionResult.Suspended, 0);
}

[GenerateSerializer, Alias("Actors.TenantStatus")]
public enum TenantStatus
{
    Active = 0,
    Suspended = 1,
}

[GenerateSerializer, Alias("Actors.SmtpSettings")]
public sealed record SmtpSettings
{
    [Id(0)] public string? Host { get; init; }
    [Id(1)] public int Port { get; init; } = 587;
    [Id(2)] public string? Username { get; init; }
    [Id(3)] public string? Password { get; init; }
    [Id(4)] public string? FromAddress { get; init; }
    [Id(5)] public bool UseTls { get; init; } = true;

    // ToString (logs, exception messages, anything printing a TenantInfo) never prints the password.
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("Host = ").Append(Host).Append(", Port = ").Append(Port).Append(", Username = ").Append(Username)
            .Append(", Password = ").Append(Password is null ? "null" : "***").Append(", FromAddress = ").Append(FromAddress)
            .Append(", UseTls = ").Append(UseTls);
        return true;
    }
}

[GenerateSerializer, Alias("Actors.TenantSettings")]
public sealed record TenantSettings
{
    public const int DefaultMaxConcurrentJobs = 4;
    public const int DefaultRequestsPerSecond = 100;

    [Id(0)] public int MaxConcurrentJobs { get; init; } = DefaultMaxConcurrentJobs;
    [Id(1)] public int RequestsPerSecond { get; init; } = DefaultRequestsPerSecond;
    public const int DefaultMaxCandidates = 100_000;
    public const int DefaultMaxSchedules = 100;
    public const int DefaultMaxActiveJobs = 1_000;

    [Id(2)] public string? BillingServiceUrl { get; init; }
    [Id(3)] public SmtpSettings Smtp { get; init; } = new();
    /// <summary>Stored candidates at most (a create beyond it is refused 422 limit_exceeded).</summary>
    [Id(4)] public int MaxCandidates { get; init; } = DefaultMaxCandidates;
    /// <summary>Schedules at most (each one holds a reminder).</summary>
    [Id(5)] public int MaxSchedules { get; init; } = DefaultMaxSchedules;
    /// <summary>Queued and processing jobs at most: a flood of submissions cannot grow the queue without bound.</summary>
    [Id(6)] public int MaxActiveJobs { get; init; } = DefaultMaxActiveJobs;
}

[GenerateSerializer, Alias("Actors.TenantInfo")]
public sealed record TenantInfo(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] TenantStatus Status,
    [property: Id(3)] TenantSettings Settings,
    [property: Id(4)] DateTimeOffset CreatedAt,
    [property: Id(5)] DateTimeOffset UpdatedAt,
    [property: Id(6)] long Version)
{
    public bool IsActive => Status == TenantStatus.Active;
}

[GenerateSerializer, Alias("Actors.TenantDraft")]
public sealed record TenantDraft(
    [property: Id(0)] string Name,
    [property: Id(1)] TenantSettings Settings);

/// <summary>A partial update: null members are left as they are.</summary>
[GenerateSerializer, Alias("Actors.TenantPatch")]
public sealed record TenantPatch
{
    [Id(0)] public string? Name { get; init; }
    [Id(1)] public int? MaxConcurrentJobs { get; init; }
    [Id(2)] public int? RequestsPerSecond { get; init; }
    [Id(3)] public string? BillingServiceUrl { get; init; }
    [Id(4)] public SmtpSettings? Smtp { get; init; }
    [Id(5)] public int? MaxCandidates { get; init; }
    [Id(6)] public int? MaxSchedules { get; init; }
    [Id(7)] public int? MaxActiveJobs { get; init; }
}
