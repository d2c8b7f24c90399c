using Actors.Contracts.Tenants;
using Actors.WebApi.Auth;
using Actors.WebApi.Tenants;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Actors.WebApi.ReviewConsole;

/// <summary>Operators: one tenant, its settings (validated as <c>PATCH /tenants/{id}</c>), suspend and activate.</summary>
[Authorize(Policy = Policies.Operator)]
public sealed class TenantModel(TenantService tenants) : ConsolePage
{
    [BindProperty(SupportsGet = true)]
    public string Id { get; set; } = "";

    public TenantInfo? Info { get; private set; }

    public Task OnGetAsync() => LoadAsync();

    public Task<IActionResult> OnPostSuspendAsync() =>
        ActAsync(async () => await tenants.SetActiveAsync(Actor, Id, false), $"Tenant '{Id}' is suspended.");

    public Task<IActionResult> OnPostActivateAsync() =>
        ActAsync(async () => await tenants.SetActiveAsync(Actor, Id, true), $"Tenant '{Id}' is active.");

    public Task<IActionResult> OnPostSettingsAsync(string? name, int? maxConcurrentJobs, int? requestsPerSecond, int? maxCandidates,
        int? maxSchedules, int? maxActiveJobs, string? billingServiceUrl) =>
        ActAsync(async () => await tenants.UpdateAsync(Id, new UpdateTenantRequest(name,
                new TenantSettingsBody(maxConcurrentJobs, requestsPerSecond, string.IsNullOrWhiteSpace(billingServiceUrl) ? null : billingServiceUrl.Trim(),
                    null, maxCandidates, maxSchedules, maxActiveJobs))),
            "Settings saved.");

    private async Task<IActionResult> ActAsync(Func<Task> action, string done)
    {
        if (await TryAsync(Policies.Operator, action))
        {
            Notice = done;
        }
        var (error, code, status) = (Error, ErrorCode, Response.StatusCode);
        await LoadAsync();
        if (error is not null)
        {
            (Error, ErrorCode, Response.StatusCode) = (error, code, status);
        }
        return Page();
    }

    private Task LoadAsync() => TryAsync(Policies.Operator, async () => Info = await tenants.GetAsync(Id));
}
