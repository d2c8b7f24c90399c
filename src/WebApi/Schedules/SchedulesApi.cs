using Actors.Contracts.Schedules;
using System.Text.Json;
using Actors.Contracts;
using Actors.WebApi.Auth;
using Actors.WebApi.Infrastructure;
using Microsoft.AspNetCore.Mvc;

namespace Actors.WebApi.Schedules;

public sealed record ScheduleJobBody(string? Type, JsonElement? Parameters);

public sealed record ScheduleRequest(string? Name, string? Cron, string? TimeZone, ScheduleJobBody? Job, string? MissedPolicy,
    int? MaxCatchUp, string? OverlapPolicy);

public sealed record ScheduleResponse(Guid Id, string Name, string Cron, string TimeZone, ScheduleJobResponse Job, string MissedPolicy,
    int MaxCatchUp, string OverlapPolicy, bool Paused, DateTimeOffset? LastRunAt, DateTimeOffset? NextRunAt, Guid? LastJobId,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static ScheduleResponse From(ScheduleInfo s) => new(s.Id, s.Definition.Name, s.Definition.Cron, s.Definition.TimeZone,
        new ScheduleJobResponse(s.Definition.JobType, JsonDocument.Parse(s.Definition.ParametersJson).RootElement.Clone()),
        ActorsJson.Name(s.Definition.MissedPolicy), s.Definition.MaxCatchUp, ActorsJson.Name(s.Definition.OverlapPolicy),
        s.Paused, s.LastRunAt, s.NextRunAt, s.LastJobId, s.CreatedAt, s.UpdatedAt);
}

public sealed record ScheduleJobResponse(string Type, JsonElement Parameters);

/// <summary>The schedule routes: HTTP in and out over <see cref="ScheduleService"/>.</summary>
public static class SchedulesApi
{
    public static IEndpointRouteBuilder MapSchedulesApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapResourceGroup("/schedules", "Schedules");
        group.MapPost("/", async (ScheduleRequest body, HttpContext c, ScheduleService schedules) =>
            {
                var schedule = await schedules.CreateAsync(c.Actor(), body);
                return TypedResults.Created($"/schedules/{schedule.Id}", ScheduleResponse.From(schedule));
            })
            .RequireAuthorization(Policies.TenantAdmin)
            .WithSummary("Create a cron schedule that submits a job at each occurrence.").ProducesProblem(400).ProducesProblem(422);
        group.MapGet("/", async (HttpContext c, ScheduleService schedules, int? limit, int? offset, string? cursor,
                    [FromQuery(Name = "tenant")] string? tenant) =>
                TypedResults.Ok(await schedules.PageAsync(c.Actor(), limit, offset, cursor, tenant)))
            .RequireAuthorization(Policies.Reader).WithSummary("List the tenant's schedules (operators without X-Tenant-Id: every tenant's; ?tenant= narrows).").ProducesProblem(400);
        group.MapGet("/{id}", async (string id, HttpContext c, ScheduleService schedules) =>
                TypedResults.Ok(ScheduleResponse.From(await schedules.GetAsync(c.Actor(), Ids.Parse(id)))))
            .RequireAuthorization(Policies.Reader).WithSummary("One schedule with its next run.").ProducesProblem(404);
        group.MapPatch("/{id}", async (string id, ScheduleRequest body, HttpContext c, ScheduleService schedules) =>
                TypedResults.Ok(ScheduleResponse.From(await schedules.UpdateAsync(c.Actor(), Ids.Parse(id), body))))
            .RequireAuthorization(Policies.TenantAdmin)
            .WithSummary("Change a schedule (fields omitted keep their value).").ProducesProblem(400).ProducesProblem(404);
        group.MapDelete("/{id}", async (string id, HttpContext c, ScheduleService schedules) =>
            {
                await schedules.DeleteAsync(c.Actor(), Ids.Parse(id));
                return TypedResults.NoContent();
            })
            .RequireAuthorization(Policies.TenantAdmin).WithSummary("Delete a schedule.").ProducesProblem(404);
        group.MapPost("/{id}/pause", async (string id, HttpContext c, ScheduleService schedules) =>
                TypedResults.Ok(ScheduleResponse.From(await schedules.SetPausedAsync(c.Actor(), Ids.Parse(id), true))))
            .RequireAuthorization(Policies.TenantAdmin).WithSummary("Pause: no runs until resumed.").ProducesProblem(404);
        group.MapPost("/{id}/resume", async (string id, HttpContext c, ScheduleService schedules) =>
                TypedResults.Ok(ScheduleResponse.From(await schedules.SetPausedAsync(c.Actor(), Ids.Parse(id), false))))
            .RequireAuthorization(Policies.TenantAdmin).WithSummary("Resume (runs missed while paused are not replayed).").ProducesProblem(404);
        group.MapPost("/{id}/trigger", async (string id, HttpContext c, ScheduleService schedules) =>
            {
                var job = await schedules.TriggerAsync(c.Actor(), Ids.Parse(id));
                return TypedResults.Accepted($"/jobs/{job}", new { job_id = job });
            })
            .RequireAuthorization(Policies.Writer).WithSummary("Submit one run now.").ProducesProblem(404);
        return endpoints;
    }
}
