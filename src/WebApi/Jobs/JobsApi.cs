using System.Text.Json;
using Actors.Contracts;
using Actors.Contracts.Jobs;
using Actors.WebApi.Auth;
using Actors.WebApi.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Actors.Data;
using Actors.Data.Jobs;

namespace Actors.WebApi.Jobs;

public sealed record SubmitJobRequest(string? Type, JsonElement? Parameters, int? MaxAttempts);

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

/// <summary>The job routes: HTTP in and out over <see cref="JobService"/>.</summary>
public static class JobsApi
{
    public static IEndpointRouteBuilder MapJobsApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapResourceGroup("/jobs", "Jobs");
        group.MapPost("/", SubmitAsync).RequireAuthorization(Policies.Writer)
            .WithSummary("Queue a job (202 with Location). Idempotency-Key: the same key and body answer the first job.")
            .ProducesProblem(400).ProducesProblem(422);
        group.MapGet("/", ListAsync).RequireAuthorization(Policies.Reader)
            .WithSummary("List the tenant's jobs, newest first; filter by status and type; page with cursor. Operators without X-Tenant-Id see every tenant (?tenant= narrows).").ProducesProblem(400);
        group.MapGet("/failed", (HttpContext c, JobService jobs, int? limit, int? offset, string? cursor, [FromQuery(Name = "tenant")] string? tenant) =>
                ListAsync(c, jobs, "failed", null, limit, offset, cursor, tenant))
            .RequireAuthorization(Policies.Reader).WithSummary("The tenant's failed jobs, newest failure first (operators without X-Tenant-Id: every tenant's).").ProducesProblem(400);
        group.MapGet("/{id}", async (string id, HttpContext c, JobService jobs) => TypedResults.Ok(JobResponse.From(await jobs.GetAsync(c.Actor(), Ids.Parse(id)))))
            .RequireAuthorization(Policies.Reader)
            .WithSummary("One job with its progress, result or error.").ProducesProblem(404);
        group.MapGet("/{id}/deliveries", async (string id, HttpContext c, JobService jobs, int? limit, int? offset, string? cursor) =>
                TypedResults.Ok(await jobs.DeliveriesAsync(c.Actor(), Ids.Parse(id), limit, offset, cursor)))
            .RequireAuthorization(Policies.Reader)
            .WithSummary("The recipients of an email.send job, by address: status (sent or failed), error, attempt, sent_at.")
            .ProducesProblem(400).ProducesProblem(404);
        group.MapPost("/{id}/cancel", async (string id, HttpContext c, JobService jobs) =>
                TypedResults.Ok(JobResponse.From(await jobs.CancelAsync(c.Actor(), Ids.Parse(id)))))
            .RequireAuthorization(Policies.Writer)
            .WithSummary("Cancel: a queued job never starts; a running one is told and ends cancelled.")
            .ProducesProblem(404).ProducesProblem(409);
        group.MapPost("/{id}/retry", async (string id, HttpContext c, JobService jobs) =>
                TypedResults.Ok(JobResponse.From(await jobs.RetryAsync(c.Actor(), Ids.Parse(id)))))
            .RequireAuthorization(Policies.Writer)
            .WithSummary("Put a failed or cancelled job back in the queue.").ProducesProblem(404).ProducesProblem(409);

        return endpoints;
    }

    private static async Task<Accepted<JobResponse>> SubmitAsync(SubmitJobRequest body, HttpContext context, JobService jobs)
    {
        var job = await jobs.SubmitAsync(context.Actor(), body, IdempotencyKey.Of(context.Request));
        if (job.Existing)
        {
            context.Response.Headers["Idempotent-Replayed"] = "true";
        }
        return TypedResults.Accepted($"/jobs/{job.Id}", JobResponse.From(job));
    }

    private static async Task<Ok<Page<JobListItem>>> ListAsync(HttpContext context, JobService jobs, string? status, string? type, int? limit,
        int? offset, string? cursor, [FromQuery(Name = "tenant")] string? tenant) =>
        TypedResults.Ok(await jobs.PageAsync(context.Actor(), new JobQuery(status, type, limit, offset, cursor, tenant)));
}
