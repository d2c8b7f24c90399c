using Actors.WebApi.Jobs;
using Actors.Grains.Schedules;
using System.Text.Json;
using Actors.Grains;
using Actors.WebApi.Auth;
using Actors.WebApi.Infrastructure;
using Cronos;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

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

public sealed record ScheduleListItem(Guid Id, string TenantId, string Name, string Cron, string TimeZone, string JobType, bool Paused, DateTimeOffset? LastRunAt);

public static class SchedulesApi
{
    public static IEndpointRouteBuilder MapSchedulesApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapResourceGroup("/schedules", "Schedules");
        group.MapPost("/", CreateAsync).RequireAuthorization(Policies.TenantAdmin).Produces<ScheduleResponse>(201)
            .WithSummary("Create a cron schedule that submits a job at each occurrence.").ProducesProblem(400).ProducesProblem(422);
        group.MapGet("/", ListAsync).RequireAuthorization(Policies.Reader).Produces<Page<ScheduleListItem>>().WithSummary("List the tenant's schedules (operators without X-Tenant-Id: every tenant's; ?tenant= narrows).").ProducesProblem(400);
        group.MapGet("/{id}", async (string id, HttpContext c, IClusterClient cluster) =>
                TypedResults.Ok(ScheduleResponse.From(await Grain(id, c, cluster).GetAsync() ?? throw ActorsException.NotFound("Schedule"))))
            .RequireAuthorization(Policies.Reader).WithSummary("One schedule with its next run.").ProducesProblem(404);
        group.MapPatch("/{id}", UpdateAsync).RequireAuthorization(Policies.TenantAdmin).Produces<ScheduleResponse>()
            .WithSummary("Change a schedule (fields omitted keep their value).").ProducesProblem(400).ProducesProblem(404);
        group.MapDelete("/{id}", async (string id, HttpContext c, IClusterClient cluster) =>
            {
                await Grain(id, c, cluster).DeleteAsync();
                return TypedResults.NoContent();
            })
            .RequireAuthorization(Policies.TenantAdmin).WithSummary("Delete a schedule.").ProducesProblem(404);
        group.MapPost("/{id}/pause", async (string id, HttpContext c, IClusterClient cluster) =>
                TypedResults.Ok(ScheduleResponse.From(await Grain(id, c, cluster).SetPausedAsync(true))))
            .RequireAuthorization(Policies.TenantAdmin).WithSummary("Pause: no runs until resumed.").ProducesProblem(404);
        group.MapPost("/{id}/resume", async (string id, HttpContext c, IClusterClient cluster) =>
                TypedResults.Ok(ScheduleResponse.From(await Grain(id, c, cluster).SetPausedAsync(false))))
            .RequireAuthorization(Policies.TenantAdmin).WithSummary("Resume (runs missed while paused are not replayed).").ProducesProblem(404);
        group.MapPost("/{id}/trigger", async (string id, HttpContext c, IClusterClient cluster) =>
            {
                var job = await Grain(id, c, cluster).TriggerAsync(c.Actor().Email);
                return TypedResults.Accepted($"/jobs/{job}", new { job_id = job });
            })
            .RequireAuthorization(Policies.Writer).WithSummary("Submit one run now.").ProducesProblem(404);
        return endpoints;
    }

    private static async Task<IResult> CreateAsync(ScheduleRequest body, HttpContext context, IClusterClient cluster, NpgsqlDataSource db,
        JobTypeCatalog types)
    {
        var actor = context.Actor();
        var tenant = actor.RequireTenant();
        var definition = Validate(body, null, await types.SubmittableAsync());
        await TenantQuota.EnsureRoomAsync(context.RequestServices.GetRequiredService<AccessCache>(), db, tenant, "schedules", s => s.MaxSchedules, "schedule", []);
        var schedule = await cluster.GetGrain<IScheduleGrain>(Guid.CreateVersion7(), tenant).CreateAsync(definition, actor.Email);
        return TypedResults.Created($"/schedules/{schedule.Id}", ScheduleResponse.From(schedule));
    }

    private static async Task<IResult> UpdateAsync(string id, ScheduleRequest body, HttpContext context, IClusterClient cluster, JobTypeCatalog types)
    {
        var grain = Grain(id, context, cluster);
        var current = await grain.GetAsync() ?? throw ActorsException.NotFound("Schedule");
        var definition = Validate(body, current.Definition, await types.SubmittableAsync());
        return TypedResults.Ok(ScheduleResponse.From(await grain.UpdateAsync(definition, context.Actor().Email)));
    }

    private static ScheduleDefinition Validate(ScheduleRequest body, ScheduleDefinition? current, IReadOnlyList<string> submittable)
    {
        var errors = new Validator();
        var name = body.Name ?? current?.Name;
        errors.Required("name", name, 200);
        var cron = body.Cron ?? current?.Cron;
        var zone = body.TimeZone ?? current?.TimeZone ?? "UTC";
        if (string.IsNullOrWhiteSpace(cron) || cron.Length > 120)
        {
            errors.Add("cron", "is required (five fields: minute hour day-of-month month day-of-week)");
        }
        else
        {
            try { CronExpression.Parse(cron, CronFormat.Standard); }
            catch (CronFormatException) { errors.Add("cron", "is not a valid five-field cron expression"); }
        }
        if (zone.Length > 64 || !TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _))
        {
            errors.Add("time_zone", "must be an IANA time zone such as UTC or Europe/London");
        }
        var type = body.Job?.Type ?? current?.JobType;
        JobTypeCatalog.Check(errors, "job.type", type, submittable);
        var parameters = body.Job?.Parameters is { } p
            ? p.ValueKind == JsonValueKind.Object ? p.GetRawText() : null
            : current?.ParametersJson ?? "{}";
        if (parameters is null)
        {
            errors.Add("job.parameters", "must be a JSON object");
        }
        else if (parameters.Length > JobsApi.MaxParametersBytes)
        {
            errors.Add("job.parameters", $"must be at most {JobsApi.MaxParametersBytes / 1024} KB");
        }
        var missed = body.MissedPolicy switch
        {
            null => current?.MissedPolicy ?? MissedRunPolicy.Skip,
            "skip" => MissedRunPolicy.Skip,
            "run_once" => MissedRunPolicy.RunOnce,
            "run_all" => MissedRunPolicy.RunAll,
            _ => (MissedRunPolicy?)null,
        };
        if (missed is null) errors.Add("missed_policy", "must be skip, run_once or run_all");
        var overlap = body.OverlapPolicy switch
        {
            null => current?.OverlapPolicy ?? OverlapPolicy.Skip,
            "skip" => OverlapPolicy.Skip,
            "allow" => OverlapPolicy.Allow,
            _ => (OverlapPolicy?)null,
        };
        if (overlap is null) errors.Add("overlap_policy", "must be skip or allow");
        errors.Range("max_catch_up", body.MaxCatchUp, 1, 100);
        errors.ThrowIfAny();
        return new ScheduleDefinition(name!.Trim(), cron!, zone, type!, parameters!, missed!.Value, body.MaxCatchUp ?? current?.MaxCatchUp ?? 10, overlap!.Value);
    }

    private static async Task<IResult> ListAsync(HttpContext context, NpgsqlDataSource db, int? limit, int? offset, string? cursor,
        [FromQuery(Name = "tenant")] string? tenantFilter)
    {
        var tenant = context.Actor().ListScope(tenantFilter);
        var errors = new Validator();
        var page = Paging.From(limit, offset, cursor, errors);
        errors.ThrowIfAny();
        return TypedResults.Ok(await PageAsync(db, tenant, page));
    }

    /// <summary>A page of schedules, newest first, for the API and the console.</summary>
    internal static async Task<Page<ScheduleListItem>> PageAsync(NpgsqlDataSource db, string? tenant, Paging page) =>
        await PagedQuery.ReadAsync(db, "id, tenant_id, name, cron, time_zone, job_type, paused, last_run_at",
            "schedules", Sql.Where(tenant is null ? null : "tenant_id = @t", "NOT deleted"), new KeysetOrder("created_at", "id", "uuid"), page, [("t", tenant)],
            r => new ScheduleListItem(r.GetGuid(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5),
                r.GetBoolean(6), r.IsDBNull(7) ? null : r.GetFieldValue<DateTimeOffset>(7)),
            new CounterTotal(tenant, "schedule"));

    private static IScheduleGrain Grain(string id, HttpContext context, IClusterClient cluster) =>
        cluster.GetGrain<IScheduleGrain>(Ids.Parse(id), context.Actor().RequireTenant());
}
