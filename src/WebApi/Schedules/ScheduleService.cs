using System.Text.Json;
using Actors.Contracts;
using Actors.Contracts.Schedules;
using Actors.WebApi.Auth;
using Actors.WebApi.Infrastructure;
using Actors.WebApi.Jobs;
using Npgsql;
using Actors.Data;
using Actors.Data.Schedules;

namespace Actors.WebApi.Schedules;

/// <summary>
/// The schedules capability: create and change a cron schedule (checked once, the tenant's cap),
/// pause, resume, trigger and delete it, and the read side (one, a page, next runs). The JSON routes
/// (<see cref="SchedulesApi"/>) and the console's schedules page are adapters over it.
/// </summary>
public sealed class ScheduleService(IClusterClient cluster, NpgsqlDataSource db, AccessCache access, JobTypeCatalog types)
{
    public async Task<ScheduleInfo> CreateAsync(RequestActor actor, ScheduleRequest body)
    {
        var tenant = actor.RequireTenant();
        var definition = Validate(body, null, await types.SubmittableAsync());
        await TenantQuota.EnsureRoomAsync(access, db, tenant, TenantCap.Schedules);
        return await cluster.GetGrain<IScheduleGrain>(Guid.CreateVersion7(), tenant).CreateAsync(definition, actor.Email);
    }

    public async Task<ScheduleInfo> GetAsync(RequestActor actor, Guid id) =>
        await Grain(actor, id).GetAsync() ?? throw ActorsException.NotFound("Schedule");

    /// <summary>Changes a schedule; fields omitted keep their value.</summary>
    public async Task<ScheduleInfo> UpdateAsync(RequestActor actor, Guid id, ScheduleRequest body)
    {
        var grain = Grain(actor, id);
        var current = await grain.GetAsync() ?? throw ActorsException.NotFound("Schedule");
        var definition = Validate(body, current.Definition, await types.SubmittableAsync());
        return await grain.UpdateAsync(definition, actor.Email);
    }

    public Task DeleteAsync(RequestActor actor, Guid id) => Grain(actor, id).DeleteAsync();

    /// <summary>Pauses (no runs until resumed) or resumes (runs missed while paused are not replayed).</summary>
    public Task<ScheduleInfo> SetPausedAsync(RequestActor actor, Guid id, bool paused) => Grain(actor, id).SetPausedAsync(paused);

    /// <summary>Submits one run now; answers its job's id.</summary>
    public Task<Guid> TriggerAsync(RequestActor actor, Guid id) => Grain(actor, id).TriggerAsync(actor.Email);

    /// <summary>A page of schedules, newest first.</summary>
    public async Task<Page<ScheduleListItem>> PageAsync(RequestActor actor, int? limit, int? offset, string? cursor, string? tenantFilter)
    {
        var tenant = actor.ListScope(tenantFilter);
        var errors = new Validator();
        var page = PagingRequest.From(limit, offset, cursor, errors);
        errors.ThrowIfAny();
        return await ScheduleQueries.PageAsync(db, tenant, page);
    }

    /// <summary>
    /// The next run of each schedule of a page that is not paused: one grain read per row (at most the
    /// page's limit), since the next run is kept by the grain, not the table.
    /// </summary>
    public async Task<Dictionary<Guid, DateTimeOffset?>> NextRunsAsync(Page<ScheduleListItem> page)
    {
        var infos = await Task.WhenAll(page.Items.Where(s => !s.Paused)
            .Select(s => cluster.GetGrain<IScheduleGrain>(s.Id, s.TenantId).GetAsync()));
        return infos.OfType<ScheduleInfo>().ToDictionary(i => i.Id, i => i.NextRunAt);
    }

    private static ScheduleDefinition Validate(ScheduleRequest body, ScheduleDefinition? current, IReadOnlyList<string> submittable)
    {
        var errors = new Validator();
        var name = body.Name ?? current?.Name;
        errors.Required("name", name, 200);
        var cron = body.Cron ?? current?.Cron;
        var zone = body.TimeZone ?? current?.TimeZone ?? "UTC";
        if (ScheduleRules.CronRefusal(cron) is { } cronRefusal)
        {
            errors.Add("cron", cronRefusal);
        }
        if (!ScheduleRules.IsTimeZone(zone))
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
        else if (parameters.Length > JobService.MaxParametersBytes)
        {
            errors.Add("job.parameters", $"must be at most {JobService.MaxParametersBytes / 1024} KB");
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

    private IScheduleGrain Grain(RequestActor actor, Guid id) => cluster.GetGrain<IScheduleGrain>(id, actor.RequireTenant());
}
