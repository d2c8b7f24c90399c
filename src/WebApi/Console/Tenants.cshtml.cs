using Actors.WebApi.Auth;
using Actors.WebApi.Tenants;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Actors.Data;
using Actors.Data.Tenants;

namespace Actors.WebApi.ReviewConsole;

/// <summary>Operators: every tenant, suspend and activate (the tenant's users are refused within AccessCache.Bound).</summary>
[Authorize(Policy = Policies.Operator)]
public sealed class TenantsModel(TenantService tenants) : ConsolePage
{
    public string? Status { get; private set; }

    public Page<TenantListItem>? List { get; private set; }

    public Task OnGetAsync(string? status, string? cursor) => LoadAsync(status, cursor);

    public Task<IActionResult> OnPostSuspendAsync(string id, string? status) => SetActiveAsync(id, false, status);

    public Task<IActionResult> OnPostActivateAsync(string id, string? status) => SetActiveAsync(id, true, status);

    private async Task<IActionResult> SetActiveAsync(string id, bool active, string? status)
    {
        if (await TryAsync(Policies.Operator, async () => await tenants.SetActiveAsync(Actor, id, active)))
        {
            Notice = $"Tenant '{id}' is {(active ? "active" : "suspended")}.";
        }
        var (error, code, statusCode) = (Error, ErrorCode, Response.StatusCode);
        await LoadAsync(status, null);
        if (error is not null)
        {
            (Error, ErrorCode, Response.StatusCode) = (error, code, statusCode);
        }
        return Page();
    }

    private async Task LoadAsync(string? status, string? cursor)
    {
        Status = status is "active" or "suspended" ? status : null;
        await TryAsync(Policies.Operator, async () => List = await tenants.PageAsync(Status, null, null, cursor));
    }
}
