using System.Globalization;
using System.Text.Json;
using Actors.Grains;
using Actors.Grains.Jobs;
using Actors.WebApi.Auth;
using Actors.WebApi.Infrastructure;
using Npgsql;

namespace Actors.WebApi.Jobs;

/// <summary>One job of a batch: as <c>POST /jobs</c>'s body, with its own <c>idempotency_key</c>.</summary>
public sealed record BatchJobRequest(string? Type, JsonElement? Parameters, int? MaxAttempts, string? IdempotencyKey);

public sealed record SubmitJobsBatchRequest(List<BatchJobRequest?>? Jobs);

/// <summary>An item's outcome: its job (<c>id</c>, <c>status</c>, <c>replayed</c>) or its <c>problem</c>.</summary>
public sealed record BatchItemResult(int Index, Guid? Id, string? Status, bool? Replayed, BatchProblem? Problem);

/// <summary>The problem details of one item, as a whole request would have answered them.</summary>
public sealed record BatchProblem(string Type, string Title, int Status, string? Detail, IReadOnlyDictionary<string, string[]>? Errors);

public sealed record SubmitJobsBatchResponse(int Accepted, int Refused, IReadOnlyList<BatchItemResult> Items);

/// <summary>
/// <c>POST /jobs/batch</c>: up to <see cref="MaxJobs"/> jobs in one request, each validated on its own and
/// stored together (one grain call, one statement). The answer (200) lists every item in order with its job or its problem; one bad item
/// refuses only itself. A replayed item (same <c>idempotency_key</c> and body) answers its first job;
/// the same key with another body is that item's 422. The tenant's <c>max_active_jobs</c> applies
/// item by item: items past it are refused <c>limit_exceeded</c>.
/// </summary>
public static class JobsBatchApi
{
    public const int MaxJobs = 1000;

    public static IEndpointRouteBuilder MapJobsBatchApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/jobs/batch", SubmitAsync).WithTags("Jobs").RequireAuthorization(Policies.Writer)
            .WithSummary($"Queue up to {MaxJobs} jobs in one request; each item has its own idempotency_key and answers its job or its problem.")
            .Produces<SubmitJobsBatchResponse>()
            .ProducesProblem(400).ProducesProblem(401).ProducesProblem(403).ProducesProblem(429).ProducesProblem(503);
        return endpoints;
    }

    private static async Task<IResult> SubmitAsync(SubmitJobsBatchRequest body, HttpContext context, IClusterClient cluster, NpgsqlDataSource db,
        JobTypeCatalog types)
    {
        var actor = context.Actor();
        var tenant = actor.RequireTenant();
        if (body.Jobs is not { Count: > 0 and <= MaxJobs } jobs)
        {
            throw ActorsException.Invalid("jobs", $"must list 1 to {MaxJobs} jobs");
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
                parameters = JobsApi.ValidateDraft(item.Type, item.Parameters, item.MaxAttempts, errors, $"jobs[{i}].", submittable);
                if (item.IdempotencyKey is { } given && !IdempotencyKey.IsValid(given))
                {
                    errors.Add($"jobs[{i}].idempotency_key", "must be 1 to 255 visible ASCII characters");
                }
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
        var (limit, active) = await TenantQuota.UsageAsync(context.RequestServices.GetRequiredService<AccessCache>(), db, tenant,
            s => s.MaxActiveJobs, "job.status", ["queued", "processing"]);
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
        return TypedResults.Ok(new SubmitJobsBatchResponse(items.Count - refused, refused, items));
    }

    private static BatchItemResult Refused(int index, Microsoft.AspNetCore.Mvc.ProblemDetails problem) =>
        new(index, null, null, null, new BatchProblem(problem.Type ?? "", problem.Title ?? "", problem.Status ?? 500, problem.Detail,
            problem.Extensions.TryGetValue("errors", out var errors) ? errors as IReadOnlyDictionary<string, string[]> : null));
}
