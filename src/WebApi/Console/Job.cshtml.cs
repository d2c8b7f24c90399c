using Actors.Contracts.Jobs;
using Actors.WebApi.Auth;
using Actors.WebApi.Jobs;
using Microsoft.AspNetCore.Mvc;
using Actors.Data;
using Actors.Data.Jobs;

namespace Actors.WebApi.ReviewConsole;

/// <summary>One job: progress (refreshed until it ends), result, error, email deliveries; cancel and retry.</summary>
public sealed class JobModel(JobService jobs) : ConsolePage
{
    [BindProperty(SupportsGet = true)]
    public Guid Id { get; set; }

    public JobInfo? Job { get; private set; }

    public Page<EmailDelivery>? Deliveries { get; private set; }

    public bool Finished => Job?.Status is JobStatus.Completed or JobStatus.Failed or JobStatus.Cancelled;

    public string? OperatorTenant => Actor.IsOperator ? Tenant : null;

    public Task OnGetAsync(string? deliveries) => LoadAsync(deliveries);

    public async Task<IActionResult> OnPostCancelAsync()
    {
        if (await TryAsync(Policies.Writer, async () => await jobs.CancelAsync(Actor, Id)))
        {
            Notice = "Cancel requested: a queued job never starts, a running one stops at its next step.";
        }
        await LoadAsync(null, keepError: true);
        return Page();
    }

    public async Task<IActionResult> OnPostRetryAsync()
    {
        if (await TryAsync(Policies.Writer, async () => await jobs.RetryAsync(Actor, Id)))
        {
            Notice = "The job is queued again.";
        }
        await LoadAsync(null, keepError: true);
        return Page();
    }

    private async Task LoadAsync(string? deliveriesCursor, bool keepError = false)
    {
        var (error, code, status) = (Error, ErrorCode, Response.StatusCode);
        await TryAsync(Policies.Reader, async () =>
        {
            Job = await jobs.GetAsync(Actor, Id);
            if (Job.Type == JobTypes.EmailSend)
            {
                Deliveries = await jobs.DeliveriesAsync(Job, null, null, deliveriesCursor);
            }
        });
        if (keepError && error is not null)
        {
            (Error, ErrorCode, Response.StatusCode) = (error, code, status);
        }
    }
}
