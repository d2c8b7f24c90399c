using System.Text;
using System.Text.Json;
using Actors.Grains;
using Actors.Grains.Jobs;
using Actors.WebApi.Auth;
using Actors.WebApi.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace Actors.WebApi.Jobs;

public sealed record SubmitJobRequest(string? Type, JsonElement? Parameters, int? MaxAttempts);

public sealed record JobProgress(long Processed, long? Total);

public sealed record JobError(string Code, string? Message);

public sealed record JobResponse(
    Guid Id, string TenantId, string Type, string Status, int Attempts, int MaxAttempts, JobProgress Progress,
    JsonElement Parameters, JsonElement? Result, JobError? Error, DateTimeOffset CreatedAt, DateTimeOffset? StartedAt,
    DateTimeOffset? HeartbeatAt, DateTimeOffset? CompletedAt, DateTimeOffset? NextAttemptAt, Guid? ScheduleId, bool CancelRequested)
{
    public static JobResponse From(JobInfo j) => new(
        j.Id, j.TenantId, j.Type, ActorsJson.Name(j.Status), j.Attempts, j.MaxAttempts, new JobProgress(j.Processed, j.Total),
        Parse(j.ParametersJson) ?? default, Parse(j.ResultJson), j.ErrorCode is null ? null : new JobError(j.ErrorCode, j.ErrorMessage),
        j.CreatedAt, j.StartedAt, j.HeartbeatAt, j.CompletedAt, j.NextAttemptAt, j.ScheduleId, j.CancelRequested);

    private static JsonElement? Parse(string? json) => json is null ? null : JsonDocument.Parse(json).RootElement.Clone();
}

public sealed record EmailDelivery(string Recipient, string Status, string? Error, int Attempt, DateTimeOffset SentAt);

public sealed record JobListItem(Guid Id, string TenantId, string Type, string Status, int Attempts, int MaxAttempts, JobProgress Progress,
    JobError? Error, DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? CompletedAt);

public static class JobsApi
{
    public const int MaxParametersBytes = 64 * 1024;
    internal static readonly string[] Statuses = ["queued", "processing", "completed", "failed", "cancelled"];

    public static IEndpointRouteBuilder MapJobsApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapResourceGroup("/jobs", "Jobs");
        group.MapPost("/", SubmitAsync).RequireAuthorization(Policies.Writer).Produces<JobResponse>(202)
            .WithSummary("Queue a job (202 with Location). Idempotency-Key: the same key and body answer the first job.")
            .ProducesProblem(400).ProducesProblem(422);
        group.MapGet("/", ListAsync).RequireAuthorization(Policies.Reader).Produces<Page<JobListItem>>()
            .WithSummary("List the tenant's jobs, newest first; filter by status and type; page with cursor. Operators without X-Tenant-Id see every tenant (?tenant= narrows).").ProducesProblem(400);
        group.MapGet("/failed", (HttpContext c, NpgsqlDataSource db, int? limit, int? offset, string? cursor, [FromQuery(Name = "tenant")] string? tenant) =>
                ListAsync(c, db, "failed", null, limit, offset, cursor, tenant))
            .RequireAuthorization(Policies.Reader).Produces<Page<JobListItem>>().WithSummary("The tenant's failed jobs, newest failure first (operators without X-Tenant-Id: every tenant's).").ProducesProblem(400);
        group.MapGet("/{id}", GetAsync).RequireAuthorization(Policies.Reader).Produces<JobResponse>()
            .WithSummary("One job with its progress, result or error.").ProducesProblem(404);
        group.MapGet("/{id}/deliveries", DeliveriesAsync).RequireAuthorization(Policies.Reader).Produces<Page<EmailDelivery>>()
            .WithSummary("The recipients of an email.send job, by address: status (sent or failed), error, attempt, sent_at.")
            .ProducesProblem(400).ProducesProblem(404);
        group.MapPost("/{id}/cancel", async (string id, HttpContext c, IClusterClient cluster) =>
                TypedResults.Ok(JobResponse.From(await Grain(id, c, cluster).CancelAsync(c.Actor().Email))))
            .RequireAuthorization(Policies.Writer)
            .WithSummary("Cancel: a queued job never starts; a running one is told and ends cancelled.")
            .ProducesProblem(404).ProducesProblem(409);
        group.MapPost("/{id}/retry", async (string id, HttpContext c, IClusterClient cluster) =>
                TypedResults.Ok(JobResponse.From(await Grain(id, c, cluster).RetryAsync(c.Actor().Email))))
            .RequireAuthorization(Policies.Writer)
            .WithSummary("Put a failed or cancelled job back in the queue.").ProducesProblem(404).ProducesProblem(409);

        return endpoints;
    }

    private static async Task<IResult> SubmitAsync(SubmitJobRequest body, HttpContext context, IClusterClient cluster, NpgsqlDataSource db,
        JobTypeCatalog types)
    {
        var actor = context.Actor();
        var tenant = actor.RequireTenant();
        var errors = new Validator();
        var parameters = ValidateDraft(body.Type, body.Parameters, body.MaxAttempts, errors, "", await types.SubmittableAsync());
        var key = IdempotencyKey.Read(context.Request, errors);
        errors.ThrowIfAny();

        var id = key is null ? Guid.CreateVersion7() : IdempotencyKey.DeriveId(tenant, "job", key);
        await TenantQuota.EnsureRoomAsync(context.RequestServices.GetRequiredService<AccessCache>(), db, tenant, "active_jobs", s => s.MaxActiveJobs, "job.status", ["queued", "processing"],
            key is null ? null : async () => await cluster.GetGrain<IJobGrain>(id, tenant).GetAsync() is not null);
        var hash = IdempotencyKey.Hash(body.Type!, parameters!, body.MaxAttempts?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "");
        var job = await cluster.GetGrain<IJobGrain>(id, tenant).SubmitAsync(new JobDraft(body.Type!, parameters!, body.MaxAttempts, hash, actor.Email, null));
        if (job.Existing)
        {
            context.Response.Headers["Idempotent-Replayed"] = "true";
        }
        return TypedResults.Accepted($"/jobs/{job.Id}", JobResponse.From(job));
    }

    /// <summary>
    /// Checks a job's type, parameters and max_attempts (field names after <paramref name="prefix"/>);
    /// answers the parameters as JSON text, or null when they are invalid.
    /// </summary>
    internal static string? ValidateDraft(string? type, JsonElement? given, int? maxAttempts, Validator errors, string prefix,
        IReadOnlyList<string> submittable)
    {
        JobTypeCatalog.Check(errors, prefix + "type", type, submittable);
        var parameters = given is { ValueKind: JsonValueKind.Object } p ? p.GetRawText() : given is null or { ValueKind: JsonValueKind.Null } ? "{}" : null;
        if (parameters is null)
        {
            errors.Add(prefix + "parameters", "must be a JSON object");
        }
        else if (Encoding.UTF8.GetByteCount(parameters) > MaxParametersBytes)
        {
            errors.Add(prefix + "parameters", $"must be at most {MaxParametersBytes / 1024} KB");
            parameters = null;
        }
        errors.Range(prefix + "max_attempts", maxAttempts, 1, 20);
        return parameters;
    }

    private static async Task<IResult> GetAsync(string id, HttpContext context, IClusterClient cluster)
    {
        var job = await Grain(id, context, cluster).GetAsync() ?? throw ActorsException.NotFound("Job");
        return TypedResults.Ok(JobResponse.From(job));
    }

    private static async Task<IResult> ListAsync(HttpContext context, NpgsqlDataSource db, string? status, string? type, int? limit,
        int? offset, string? cursor, [FromQuery(Name = "tenant")] string? tenantFilter)
    {
        var tenant = context.Actor().ListScope(tenantFilter);
        var errors = new Validator();
        var page = Paging.From(limit, offset, cursor, errors);
        if (status is not null && !Statuses.Contains(status))
        {
            errors.Add("status", "must be one of: " + string.Join(", ", Statuses));
        }
        errors.Length("type", type, 64);
        errors.ThrowIfAny();
        return TypedResults.Ok(await PageAsync(db, tenant, status, type, page));
    }

    /// <summary>
    /// A page of jobs, newest first (failed: newest failure first), for the API and the console;
    /// <paramref name="status"/> must be one of <see cref="Statuses"/> or null.
    /// </summary>
    internal static async Task<Page<JobListItem>> PageAsync(NpgsqlDataSource db, string? tenant, string? status, string? type, Paging page)
    {
        if (status is not null && !Statuses.Contains(status))
        {
            throw ActorsException.Invalid("status", "must be one of: " + string.Join(", ", Statuses));
        }
        // The status is one of Statuses, written as a literal so the planner can use the partial index
        // of failed jobs (newest failure first).
        var order = status == "failed" ? new KeysetOrder("completed_at", "id", "uuid") : new KeysetOrder("created_at", "id", "uuid");
        return await PagedQuery.ReadAsync(db,
            "id, tenant_id, type, status, attempts, max_attempts, processed, total, error_code, error_message, created_at, started_at, completed_at", "jobs",
            Sql.Where(tenant is null ? null : "tenant_id = @tenant", status is null ? null : $"status = '{status}'", type is null ? null : "type = @type"),
            order, page, [("tenant", tenant), ("type", type)],
            r => new JobListItem(r.GetGuid(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt32(4), r.GetInt32(5),
                new JobProgress(r.GetInt64(6), r.IsDBNull(7) ? null : r.GetInt64(7)),
                r.IsDBNull(8) ? null : new JobError(r.GetString(8), r.IsDBNull(9) ? null : r.GetString(9)),
                r.GetFieldValue<DateTimeOffset>(10), r.IsDBNull(11) ? null : r.GetFieldValue<DateTimeOffset>(11),
                r.IsDBNull(12) ? null : r.GetFieldValue<DateTimeOffset>(12)),
            type is not null ? null : status is null ? new CounterTotal(tenant, "job.status") : new CounterTotal(tenant, "job.status", status));
    }

    private static async Task<IResult> DeliveriesAsync(string id, HttpContext context, IClusterClient cluster, NpgsqlDataSource db,
        int? limit, int? offset, string? cursor)
    {
        var job = await Grain(id, context, cluster).GetAsync() ?? throw ActorsException.NotFound("Job");
        var errors = new Validator();
        var page = Paging.From(limit, offset, cursor, errors);
        errors.ThrowIfAny();
        return TypedResults.Ok(await DeliveriesPageAsync(db, job.Id, page));
    }

    /// <summary>The recipients of an email job, by address, for the API and the console.</summary>
    internal static async Task<Page<EmailDelivery>> DeliveriesPageAsync(NpgsqlDataSource db, Guid jobId, Paging page) =>
        await PagedQuery.ReadAsync(db, "recipient, status, error, attempt, sent_at", "email_deliveries",
            "job_id = @job", new KeysetOrder(null, "recipient", "text", Descending: false), page, [("job", jobId)],
            r => new EmailDelivery(r.GetString(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2), r.GetInt32(3), r.GetFieldValue<DateTimeOffset>(4)),
            async () =>
            {
                // At most EmailSendHandler.MaxRecipients rows per job: a bounded count.
                await using var count = db.CreateCommand("SELECT count(*) FROM email_deliveries WHERE job_id = $1");
                count.Parameters.Add(new NpgsqlParameter { Value = jobId });
                return (long)(await count.ExecuteScalarAsync())!;
            });

    private static IJobGrain Grain(string id, HttpContext context, IClusterClient cluster) =>
        cluster.GetGrain<IJobGrain>(Ids.Parse(id), context.Actor().RequireTenant());
}
