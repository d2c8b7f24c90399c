using System.Globalization;
using System.Text;
using System.Text.Json;
using Actors.Contracts;
using Actors.Contracts.Jobs;
using Actors.WebApi.Auth;
using Actors.WebApi.Infrastructure;
using Npgsql;
using Actors.Data;
using Actors.Data.Jobs;

namespace Actors.WebApi.Jobs;

/// <summary>The filters and page of a job list, as given (checked by <see cref="JobService.PageAsync"/>).</summary>
public sealed record JobQuery(string? Status = null, string? Type = null, int? Limit = null, int? Offset = null, string? Cursor = null,
    string? Tenant = null);

/// <summary>
/// The jobs capability: submit one job or a batch (checked once, the tenant's cap, the Idempotency-Key),
/// cancel and retry, and the read side (one job, a page, an email job's deliveries). The JSON routes
/// (<see cref="JobsApi"/>, <see cref="JobsBatchApi"/>) and the console's pages are adapters over it.
/// </summary>
public sealed class JobService(IClusterClient cluster, NpgsqlDataSource db, AccessCache access, JobTypeCatalog types)
{
    public const int MaxParametersBytes = 64 * 1024;
    public const int MaxBatch = 1000;

    /// <summary>Queues a job; the same <paramref name="idempotencyKey"/> and body answer the first job (Existing).</summary>
    public async Task<JobInfo> SubmitAsync(RequestActor actor, SubmitJobRequest body, string? idempotencyKey)
    {
        var tenant = actor.RequireTenant();
        var errors = new Validator();
        var parameters = ValidateDraft(body.Type, body.Parameters, body.MaxAttempts, errors, "", await types.SubmittableAsync());
        var key = IdempotencyKey.Check(idempotencyKey, errors);
        errors.ThrowIfAny();

        var id = key is null ? Guid.CreateVersion7() : IdempotencyKey.DeriveId(tenant, "job", key);
        await TenantQuota.EnsureRoomAsync(access, db, tenant, TenantCap.ActiveJobs,
            key is null ? null : async () => await cluster.GetGrain<IJobGrain>(id, tenant).GetAsync() is not null);
        var hash = IdempotencyKey.Hash(body.Type!, parameters!, body.MaxAttempts?.ToString(CultureInfo.InvariantCulture) ?? "");
        return await cluster.GetGrain<IJobGrain>(id, tenant).SubmitAsync(new JobDraft(body.Type!, parameters!, body.MaxAttempts, hash, actor.Email, null));
    }

    /// <summary>
    /// Up to <see cref="MaxBatch"/> jobs, each checked on its own and stored together (one grain call, one
    /// statement); every item answers its job or its problem, in order. The tenant's <c>max_active_jobs</c>
    /// applies item by item.
    /// </summary>
    public async Task<SubmitJobsBatchResponse> SubmitBatchAsync(RequestActor actor, SubmitJobsBatchRequest body)
    {
        var tenant = actor.RequireTenant();
        if (body.Jobs is not { Count: > 0 and <= MaxBatch } jobs)
        {
            throw ActorsException.Invalid("jobs", $"must list 1 to {MaxBatch} jobs");
        }

        var submittable = await types.SubmittableAsync();
        var results = new BatchItemResult?[jobs.Count];
        var drafts = new List<(int Index, Guid Id, JobDraft Draft, bool Keyed)>();
        for (var i = 0; i < jobs.Count; i++)
        {
            var item = jobs[i];
            var errors = new Validator();
            string? parameters = null;
            if (item is null)
            {
                errors.Add($"jobs[{i}]", "must be an object");
            }
            else
            {
                parameters = ValidateDraft(item.Type, item.Parameters, item.MaxAttempts, errors, $"jobs[{i}].", submittable);
                IdempotencyKey.Check(item.IdempotencyKey, errors, $"jobs[{i}].idempotency_key");
            }
            if (!errors.IsValid)
            {
                results[i] = Refused(i, ProblemDetailsMapping.Map(errors.ToException()));
                continue;
            }
            var key = item!.IdempotencyKey;
            var id = key is null ? Guid.CreateVersion7() : IdempotencyKey.DeriveId(tenant, "job", key);
            var hash = IdempotencyKey.Hash(item.Type!, parameters!, item.MaxAttempts?.ToString(CultureInfo.InvariantCulture) ?? "");
            drafts.Add((i, id, new JobDraft(item.Type!, parameters!, item.MaxAttempts, hash, actor.Email, null), key is not null));
        }

        // The cap, once for the batch: the silo refuses new items past the room left, in item order
        // (a replay, whose key already names a job, takes no room).
        var (limit, active) = await TenantQuota.UsageAsync(access, db, tenant, TenantCap.ActiveJobs);
        if (drafts.Count > 0)
        {
            // One call and one statement for the batch (JobIntakeGrain), not one grain call per item.
            var outcomes = await cluster.GetGrain<IJobIntakeGrain>(0).SubmitAsync(tenant,
                drafts.Select(d => new JobIntakeItem(d.Id, d.Draft, d.Keyed)).ToList(), (int)Math.Clamp(limit - active, 0, int.MaxValue), limit);
            for (var d = 0; d < drafts.Count; d++)
            {
                var (index, outcome) = (drafts[d].Index, outcomes[d]);
                results[index] = outcome.Error is { } error
                    ? Refused(index, ProblemDetailsMapping.Map(error))
                    : new BatchItemResult(index, outcome.Id, ActorsJson.Name(outcome.Status), outcome.Existing, null);
            }
        }

        var items = results.Select(r => r!).ToList();
        var refused = items.Count(r => r.Problem is not null);
        return new SubmitJobsBatchResponse(items.Count - refused, refused, items);
    }

    /// <summary>
    /// Checks a job's type, parameters and max_attempts (field names after <paramref name="prefix"/>);
    /// answers the parameters as JSON text, or null when they are invalid.
    /// </summary>
    public static string? ValidateDraft(string? type, JsonElement? given, int? maxAttempts, Validator errors, string prefix,
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

    public async Task<JobInfo> GetAsync(RequestActor actor, Guid id) => await Grain(actor, id).GetAsync() ?? throw ActorsException.NotFound("Job");

    /// <summary>A queued job never starts; a running one is told and ends cancelled.</summary>
    public Task<JobInfo> CancelAsync(RequestActor actor, Guid id) => Grain(actor, id).CancelAsync(actor.Email);

    /// <summary>Puts a failed or cancelled job back in the queue.</summary>
    public Task<JobInfo> RetryAsync(RequestActor actor, Guid id) => Grain(actor, id).RetryAsync(actor.Email);

    /// <summary>A page of jobs, newest first (failed: newest failure first).</summary>
    public async Task<Page<JobListItem>> PageAsync(RequestActor actor, JobQuery query)
    {
        var tenant = actor.ListScope(query.Tenant);
        var errors = new Validator();
        var page = PagingRequest.From(query.Limit, query.Offset, query.Cursor, errors);
        var (status, type) = (query.Status, query.Type);
        if (status is not null && !JobQueries.Statuses.Contains(status))
        {
            errors.Add("status", "must be one of: " + string.Join(", ", JobQueries.Statuses));
        }
        errors.Length("type", type, 64);
        errors.ThrowIfAny();

        return await JobQueries.PageAsync(db, tenant, status, type, page);
    }

    /// <summary>The recipients of an email job, by address (404 when the job is not the caller's tenant's).</summary>
    public async Task<Page<EmailDelivery>> DeliveriesAsync(RequestActor actor, Guid id, int? limit, int? offset, string? cursor) =>
        await DeliveriesAsync(await GetAsync(actor, id), limit, offset, cursor);

    /// <summary>The recipients of a job the caller has read already (<see cref="GetAsync"/>), by address.</summary>
    public async Task<Page<EmailDelivery>> DeliveriesAsync(JobInfo job, int? limit, int? offset, string? cursor)
    {
        var errors = new Validator();
        var page = PagingRequest.From(limit, offset, cursor, errors);
        errors.ThrowIfAny();
        return await EmailDeliveries.PageAsync(db, job.Id, page);
    }

    private static BatchItemResult Refused(int index, Microsoft.AspNetCore.Mvc.ProblemDetails problem) =>
        new(index, null, null, null, new BatchProblem(problem.Type ?? "", problem.Title ?? "", problem.Status ?? 500, problem.Detail,
            problem.Extensions.TryGetValue("errors", out var errors) ? errors as IReadOnlyDictionary<string, string[]> : null));

    private IJobGrain Grain(RequestActor actor, Guid id) => cluster.GetGrain<IJobGrain>(id, actor.RequireTenant());
}
