using Actors.WebApi.Schedules;
using Actors.Grains.Schedules;
using Actors.WebApi.Auth;
using Actors.WebApi.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace Actors.WebApi.ReviewConsole;

/// <summary>The tenant's schedules with their next runs (from each schedule's grain); pause, resume, trigger.</summary>
public sealed class SchedulesModel(IClusterClient cluster, NpgsqlDataSource db) : ConsolePage
{
    public Page<ScheduleListItem>? List { get; private set; }

    public Dictionary<Guid, DateTimeOffset?> NextRuns { get; } = [];

    public Task OnGetAsync(string? cursor) => LoadAsync(cursor);

    public Task<IActionResult> OnPostPauseAsync(Guid schedule) =>
        ActAsync(Policies.TenantAdmin, async () => await Grain(schedule).SetPausedAsync(true), "Paused.");

    public Task<IActionResult> OnPostResumeAsync(Guid schedule) =>
        ActAsync(Policies.TenantAdmin, async () => await Grain(schedule).SetPausedAsync(false), "Resumed.");

    public Task<IActionResult> OnPostTriggerAsync(Guid schedule) =>
        ActAsync(Policies.Writer, async () => await Grain(schedule).TriggerAsync(Actor.Email), "One run submitted; it is in the jobs list.");

    private async Task<IActionResult> ActAsync(string policy, Func<Task> action, string done)
    {
        if (await TryAsync(policy, action))
        {
            Notice = done;
        }
        var (error, code, status) = (Error, ErrorCode, Response.StatusCode);
        await LoadAsync(null);
        if (error is not null)
        {
            (Error, ErrorCode, Response.StatusCode) = (error, code, status);
        }
        return Page();
    }

    private async Task LoadAsync(string? cursor) => await TryAsync(Policies.Reader, async () =>
    {
        var errors = new Validator();
        var paging = Paging.From(null, null, cursor, errors);
        errors.ThrowIfAny();
        List = await SchedulesApi.PageAsync(db, Actor.ListScope(null), paging);
        // One grain read per row of the page (at most its limit): the next run is kept by the grain, not the table.
        var infos = await Task.WhenAll(List.Items.Where(s => !s.Paused)
            .Select(s => cluster.GetGrain<IScheduleGrain>(s.Id, s.TenantId).GetAsync()));
        foreach (var info in infos.OfType<ScheduleInfo>())
        {
            NextRuns[info.Id] = info.NextRunAt;
        }
    });

    private IScheduleGrain Grain(Guid id) => cluster.GetGrain<IScheduleGrain>(id, Actor.RequireTenant());
}
