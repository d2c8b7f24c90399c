using Actors.WebApi.Schedules;
using Actors.WebApi.Auth;
using Microsoft.AspNetCore.Mvc;
using Actors.Data;
using Actors.Data.Schedules;

namespace Actors.WebApi.ReviewConsole;

/// <summary>The tenant's schedules with their next runs (from each schedule's grain); pause, resume, trigger.</summary>
public sealed class SchedulesModel(ScheduleService schedules) : ConsolePage
{
    public Page<ScheduleListItem>? List { get; private set; }

    public Dictionary<Guid, DateTimeOffset?> NextRuns { get; private set; } = [];

    public Task OnGetAsync(string? cursor) => LoadAsync(cursor);

    public Task<IActionResult> OnPostPauseAsync(Guid schedule) =>
        ActAsync(Policies.TenantAdmin, async () => await schedules.SetPausedAsync(Actor, schedule, true), "Paused.");

    public Task<IActionResult> OnPostResumeAsync(Guid schedule) =>
        ActAsync(Policies.TenantAdmin, async () => await schedules.SetPausedAsync(Actor, schedule, false), "Resumed.");

    public Task<IActionResult> OnPostTriggerAsync(Guid schedule) =>
        ActAsync(Policies.Writer, async () => await schedules.TriggerAsync(Actor, schedule), "One run submitted; it is in the jobs list.");

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
        List = await schedules.PageAsync(Actor, null, null, cursor, null);
        NextRuns = await schedules.NextRunsAsync(List);
    });
}
