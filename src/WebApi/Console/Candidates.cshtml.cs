using Actors.Contracts;
using Actors.Contracts.Jobs;
using Actors.WebApi.Auth;
using Actors.WebApi.Candidates;
using Microsoft.AspNetCore.Mvc;
using Actors.Data;
using Actors.Data.Candidates;

namespace Actors.WebApi.ReviewConsole;

/// <summary>
/// The candidates of the tenant, newest first: by default the pending queue; writers upload a CSV file
/// here (the only console form with a body over the usual 1 MB: an import's largest file and its form).
/// </summary>
[RequestSizeLimit(MaxUpload)]
[RequestFormLimits(MultipartBodyLengthLimit = MaxUpload)]
public sealed class CandidatesModel(CandidateService candidates, CandidateImportService imports) : ConsolePage
{
    public string Status { get; private set; } = "pending";

    public string? Product { get; private set; }

    public Page<CandidateListItem>? List { get; private set; }

    public async Task OnGetAsync(string? status, string? product, string? cursor)
    {
        Status = status ?? "pending";
        Product = string.IsNullOrWhiteSpace(product) ? null : product.Trim();
        await TryAsync(Policies.Reader, async () =>
            List = await candidates.PageAsync(Actor, new CandidateQuery(Status == "all" ? null : Status, Product, Cursor: cursor)));
    }

    /// <summary>
    /// A CSV file uploaded from the form: staged and submitted as <c>POST /candidates/imports</c> does,
    /// then the import's job page, whose progress bar follows it.
    /// </summary>
    public async Task<IActionResult> OnPostImportAsync(IFormFile? file)
    {
        JobInfo? job = null;
        if (file is null || file.Length == 0)
        {
            Fail(ErrorCodes.Validation, "Choose a CSV file to import.");
        }
        else
        {
            await TryAsync(Policies.Writer, async () =>
                job = (await imports.StartAsync(Actor, null, () => Task.FromResult(file.OpenReadStream()), HttpContext)).Job);
        }
        if (job is not null)
        {
            return Redirect(Link("/jobs/" + job.Id));
        }
        await OnGetAsync(null, null, null);
        return Page();
    }

    public const long MaxUpload = 100L * 1024 * 1024 + 64 * 1024;
}
