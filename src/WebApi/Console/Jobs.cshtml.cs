using Actors.WebApi.Auth;
using Actors.WebApi.Infrastructure;
using Actors.WebApi.Jobs;
using Npgsql;

namespace Actors.WebApi.ReviewConsole;

/// <summary>The tenant's jobs by status (the API's page query), progress refreshed by console.js.</summary>
public sealed class JobsModel(NpgsqlDataSource db) : ConsolePage
{
    public string? Status { get; private set; }

    public Page<JobListItem>? List { get; private set; }

    public async Task OnGetAsync(string? status, string? cursor)
    {
        Status = string.IsNullOrEmpty(status) ? null : status;
        await TryAsync(Policies.Reader, async () =>
        {
            var errors = new Validator();
            var page = Paging.From(null, null, cursor, errors);
            errors.ThrowIfAny();
            List = await JobsApi.PageAsync(db, Actor.ListScope(null), Status, null, page);
        });
    }
}
