using Actors.WebApi.Auth;
using Actors.WebApi.Candidates;
using Actors.WebApi.Infrastructure;
using Npgsql;

namespace Actors.WebApi.ReviewConsole;

/// <summary>The candidates of the tenant, newest first: by default the pending queue.</summary>
public sealed class CandidatesModel(NpgsqlDataSource db) : ConsolePage
{
    public string Status { get; private set; } = "pending";

    public string? Product { get; private set; }

    public Page<CandidateListItem>? List { get; private set; }

    public async Task OnGetAsync(string? status, string? product, string? cursor)
    {
        Status = status ?? "pending";
        Product = string.IsNullOrWhiteSpace(product) ? null : product.Trim();
        await TryAsync(Policies.Reader, async () =>
        {
            var errors = new Validator();
            var page = Paging.From(null, null, cursor, errors);
            errors.ThrowIfAny();
            List = await CandidateList.PageAsync(db, Actor.ListScope(null), Status == "all" ? null : Status, Product, page);
        });
    }
}
