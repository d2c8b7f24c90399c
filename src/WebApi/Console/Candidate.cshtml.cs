using Actors.Contracts;
using Actors.Contracts.Candidates;
using Actors.WebApi.Auth;
using Actors.WebApi.Candidates;
using Microsoft.AspNetCore.Mvc;

namespace Actors.WebApi.ReviewConsole;

/// <summary>One candidate with its history; reviewers, admins and operators approve or reject it.</summary>
public sealed class CandidateModel(CandidateService candidates) : ConsolePage
{
    [BindProperty(SupportsGet = true)]
    public Guid Id { get; set; }

    public CandidateInfo? Candidate { get; private set; }

    public IReadOnlyList<CandidateHistoryEntry> History { get; private set; } = [];

    /// <summary>The <c>?tenant=</c> a form must carry back (operators only).</summary>
    public string? OperatorTenant => Actor.IsOperator ? Tenant : null;

    public Task OnGetAsync() => LoadAsync();

    public async Task<IActionResult> OnPostApproveAsync()
    {
        await DecideAsync(() => candidates.ApproveAsync(Actor, Id, null), "Approved; provisioning follows as a job.");
        return Page();
    }

    public async Task<IActionResult> OnPostRejectAsync(string? reason)
    {
        await DecideAsync(() => candidates.RejectAsync(Actor, Id, reason, null), "Rejected.");
        return Page();
    }

    public async Task<IActionResult> OnPostProvisionAsync()
    {
        if (await TryAsync(Policies.TenantAdmin, async () => await candidates.ProvisionAsync(Actor, Id)))
        {
            Notice = "Provisioning submitted again.";
        }
        await LoadAsync(keepError: true);
        return Page();
    }

    private async Task DecideAsync(Func<Task<CandidateInfo>> decide, string done)
    {
        if (await TryAsync(Policies.Writer, decide))
        {
            Notice = done;
        }
        await LoadAsync(keepError: true);
        if (ErrorCode == ErrorCodes.Conflict && Candidate is { DecidedBy: not null } c)
        {
            // Someone decided first: say what the candidate is now, and who made it so.
            Error = $"This candidate was already {ActorsJson.Name(c.Status)} by {c.DecidedBy} at {Time(c.DecidedAt)}; your decision was not applied.";
        }
    }

    private async Task LoadAsync(bool keepError = false)
    {
        var (error, code, status) = (Error, ErrorCode, Response.StatusCode);
        await TryAsync(Policies.Reader, async () =>
        {
            Candidate = await candidates.GetAsync(Actor, Id);
            History = await candidates.HistoryAsync(Actor, Id);
        });
        if (keepError && error is not null)
        {
            (Error, ErrorCode, Response.StatusCode) = (error, code, status);
        }
    }
}
