using System.Text.Json;
using Actors.WebApi.Auth;

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
/// <c>POST /jobs/batch</c>: up to <see cref="JobService.MaxBatch"/> jobs in one request (<see cref="JobService.SubmitBatchAsync"/>).
/// The answer (200) lists every item in order with its job or its problem; one bad item refuses only
/// itself. A replayed item (same <c>idempotency_key</c> and body) answers its first job; the same key
/// with another body is that item's 422. Items past the tenant's <c>max_active_jobs</c> are refused
/// <c>limit_exceeded</c>.
/// </summary>
public static class JobsBatchApi
{
    public static IEndpointRouteBuilder MapJobsBatchApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/jobs/batch", async (SubmitJobsBatchRequest body, HttpContext c, JobService jobs) =>
                TypedResults.Ok(await jobs.SubmitBatchAsync(c.Actor(), body)))
            .WithTags("Jobs").RequireAuthorization(Policies.Writer)
            .WithSummary($"Queue up to {JobService.MaxBatch} jobs in one request; each item has its own idempotency_key and answers its job or its problem.")
            .ProducesProblem(400).ProducesProblem(401).ProducesProblem(403).ProducesProblem(429).ProducesProblem(503);
        return endpoints;
    }
}
