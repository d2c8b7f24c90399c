using Actors.Contracts.Candidates;
using Actors.Contracts;
using System.Text.Json;
using Actors.Contracts.Jobs;
using Actors.Grains.Jobs;
using Actors.Data;
using Actors.Data.Candidates;

namespace Actors.Grains.Candidates;

/// <summary>
/// <c>candidates.import</c>: bulk-creates candidates from a file staged by <c>POST /candidates/imports</c>
/// (<c>upload</c>, the import's id: see <see cref="StagedImport"/>), or from inline <c>csv</c> (header
/// company_name,contact_email,contact_phone,products with products separated by <c>;</c>) or JSON
/// <c>rows</c> of at most <see cref="MaxRows"/>. Each row's candidate id derives from the job id and
/// the line number, so a re-run after a crash finds the rows it already created instead of duplicating them.
/// </summary>
public sealed class CandidatesImportHandler(Npgsql.NpgsqlDataSource db, Microsoft.Extensions.Options.IOptions<ImportOptions> options) : IJobHandler
{
    public const int MaxRows = 10_000;

    public string Type => JobTypes.CandidatesImport;
    public TimeSpan Timeout => TimeSpan.FromMinutes(30);
    public int DefaultMaxAttempts => 3;

    public IReadOnlyDictionary<string, string[]> Validate(JsonElement parameters)
    {
        var hasCsv = parameters.TryGetProperty("csv", out var csv) && csv.ValueKind == JsonValueKind.String;
        var hasRows = parameters.TryGetProperty("rows", out var rows) && rows.ValueKind == JsonValueKind.Array;
        var hasUpload = parameters.TryGetProperty("upload", out var upload);
        if ((hasCsv ? 1 : 0) + (hasRows ? 1 : 0) + (hasUpload ? 1 : 0) != 1)
        {
            return new Dictionary<string, string[]> { ["parameters"] = ["give either csv (a string), rows (an array) or upload (the id of a file sent to POST /candidates/imports)"] };
        }
        if (hasUpload)
        {
            return upload.ValueKind == JsonValueKind.String && Guid.TryParse(upload.GetString(), out _)
                ? new Dictionary<string, string[]>()
                : new Dictionary<string, string[]> { ["parameters.upload"] = ["must be the id of an import"] };
        }
        if (hasRows)
        {
            return rows.GetArrayLength() > MaxRows
                ? new Dictionary<string, string[]> { ["parameters"] = [$"at most {MaxRows} rows"] }
                : new Dictionary<string, string[]>();
        }
        var (_, refusals) = CandidateCsv.ReadText(csv.GetString()!, MaxRows);
        return refusals.Count > 0
            ? new Dictionary<string, string[]> { ["parameters.csv"] = refusals.ToArray() }
            : new Dictionary<string, string[]>();
    }

    public async Task<object?> RunAsync(JobRun run, CancellationToken cancellationToken)
    {
        if (run.Parameters.TryGetProperty("upload", out var upload))
        {
            return await StagedImport.RunAsync(db, options.Value, Guid.Parse(upload.GetString()!), run, cancellationToken);
        }
        var rows = Parse(run.Parameters);
        var invalid = new List<object>();
        int imported = 0, existing = 0, processed = 0;
        // The tenant's max_candidates holds for imports too: rows past it are reported, not created.
        var limit = await StagedImport.CandidateLimitAsync(run);
        var room = limit - await db.SumAsync(run.TenantId, CandidateTable.StatusCounter);
        run.ReportProgress(0, rows.Count);
        foreach (var (line, row, errors) in rows)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (errors is not null)
            {
                invalid.Add(new { line, errors });
            }
            else
            {
                var id = StableId.Create("import", run.JobId.ToString(), line.ToString(System.Globalization.CultureInfo.InvariantCulture));
                var grain = run.Grains.GetGrain<ICandidateGrain>(id, run.TenantId);
                if (room <= 0)
                {
                    // At the cap: a row an earlier attempt of this job created still counts as imported before.
                    if (await grain.GetAsync() is not null) existing++;
                    else invalid.Add(new { line, errors = new Dictionary<string, string[]> { ["row"] = [$"the tenant's limit of {limit} candidates is reached"] } });
                }
                else
                {
                    var created = await grain.CreateAsync(new CandidateDraft(
                        row!.CompanyName, row.ContactEmail, row.ContactPhone, row.Products, "import:" + id, "job:" + run.JobId));
                    if (created.Existing) existing++;
                    else
                    {
                        imported++;
                        room--;
                    }
                }
            }
            run.ReportProgress(++processed, rows.Count);
        }
        return new { total = rows.Count, imported, already_imported = existing, invalid = invalid.Count, invalid_rows = invalid };
    }

    /// <summary>
    /// The rows of inline <c>rows</c> (JSON objects) or <c>csv</c> (read as the upload reads a file:
    /// <see cref="CandidateCsv"/>), each with its line and either the row to create or its errors.
    /// </summary>
    private static List<(int Line, CandidateCsvRow? Row, Dictionary<string, string[]>? Errors)> Parse(JsonElement parameters)
    {
        if (!parameters.TryGetProperty("rows", out var rows))
        {
            // Validate refused a text that is not CSV or has a bad header before the job was stored.
            return CandidateCsv.ReadText(parameters.GetProperty("csv").GetString()!, MaxRows).Records;
        }
        var result = new List<(int, CandidateCsvRow?, Dictionary<string, string[]>?)>();
        var line = 0;
        foreach (var item in rows.EnumerateArray())
        {
            line++;
            if (item.ValueKind != JsonValueKind.Object)
            {
                result.Add((line, null, new Dictionary<string, string[]> { ["row"] = ["must be an object"] }));
                continue;
            }
            string? company = Text(item, "company_name"), email = Text(item, "contact_email"), phone = Text(item, "contact_phone");
            IReadOnlyList<string?> products = item.TryGetProperty("products", out var p) && p.ValueKind == JsonValueKind.Array
                ? p.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString() : null).ToList()
                : [];
            var errors = CandidateRules.Validate(company, email, phone, products);
            result.Add(errors.Count > 0
                ? (line, null, errors)
                : (line, new CandidateCsvRow(company!, email!, phone, CandidateRules.Normalize(products)), null));
        }
        return result;
    }

    private static string? Text(JsonElement item, string name) =>
        item.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
