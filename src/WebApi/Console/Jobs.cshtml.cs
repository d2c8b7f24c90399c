using Actors.WebApi.Auth;
using Actors.WebApi.Jobs;
using Actors.Data;
using Actors.Data.Jobs;

namespace Actors.WebApi.ReviewConsole;

/// <summary>The tenant's jobs by status (the API's page query), progress refreshed by console.js.</summary>
public sealed class JobsModel(JobService jobs) : ConsolePage
{
    public string? Status { get; private set; }

    public Page<JobListItem>? List { get; private set; }

    public async Task OnGetAsync(string? status, string? cursor)
    {
        Status = string.IsNullOrEmpty(status) ? null : status;
        await TryAsync(Policies.Reader, async () => List = await jobs.PageAsync(Actor, new JobQuery(Status, Cursor: cursor)));
    }
}
