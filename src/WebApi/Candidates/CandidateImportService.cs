using System.Text;
using System.Text.Json;
using Actors.Contracts;
using Actors.Contracts.Candidates;
using Actors.Contracts.Jobs;
using Actors.WebApi.Auth;
using Actors.WebApi.Infrastructure;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Npgsql;
using Actors.Data.Candidates;

namespace Actors.WebApi.Candidates;

/// <summary>
/// The imports capability: a CSV file is read record by record (<see cref="CsvRecords"/>), checked
/// (<see cref="CandidateCsv"/>) and copied into <c>candidate_import_rows</c> in one transaction: the
/// whole file or nothing. Then the import's job (its id is the import's) moves the rows into
/// candidates in batches. <c>POST /candidates/imports</c> and the console's upload form call it.
/// </summary>
public sealed class CandidateImportService(IClusterClient cluster, NpgsqlDataSource db, AccessCache access, IOptions<ImportOptions> importOptions)
{
    /// <summary>
    /// Stages the file <paramref name="open"/> gives and submits its import job; with a key whose import
    /// exists, answers that import's job without reading. The request (<paramref name="context"/>) gives the
    /// declared length, the body limit raised to the import's, and the abort signal.
    /// </summary>
    public async Task<(JobInfo Job, bool Replayed)> StartAsync(RequestActor actor, string? idempotencyKey, Func<Task<Stream>> open,
        HttpContext context)
    {
        var errors = new Validator();
        var key = IdempotencyKey.Check(idempotencyKey, errors);
        errors.ThrowIfAny();
        var options = importOptions.Value;
        var tenant = actor.RequireTenant();
        var id = key is null ? Guid.CreateVersion7() : IdempotencyKey.DeriveId(tenant, "import", key);
        var job = cluster.GetGrain<IJobGrain>(id, tenant);
        if (key is not null && await job.GetAsync() is { } earlier)
        {
            return (earlier, true);
        }
        await TenantQuota.EnsureRoomAsync(access, db, tenant, TenantCap.Candidates);
        await TenantQuota.EnsureRoomAsync(access, db, tenant, TenantCap.ActiveJobs);

        // A declared length over the limit is refused before the limit is raised: the server then reads
        // (and drops) at most the usual 1 MB of it, so a small client sees its 413 rather than a reset.
        if (context.Request.ContentLength > options.MaxBytes)
        {
            throw CandidateImports.TooLarge(options);
        }
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = options.MaxBytes;
        }
        try
        {
            await CandidateImports.StageAsync(db, id, tenant, actor.Email, await open(), options, context.RequestAborted);
        }
        catch (BadHttpRequestException bad) when (bad.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw CandidateImports.TooLarge(options);
        }
        catch (DecoderFallbackException)
        {
            throw ActorsException.Invalid("file", "must be UTF-8 text");
        }
        catch (CsvFormatException csv)
        {
            throw ActorsException.Invalid("file", csv.Message);
        }
        catch (Exception e) when (e is IOException or InvalidDataException && !context.RequestAborted.IsCancellationRequested)
        {
            // The multipart reader's word for a body that is not multipart/form-data as its header says.
            throw ActorsException.Invalid("file", "the body ended before the file did, or is not multipart/form-data as declared");
        }

        var parameters = JsonSerializer.Serialize(new { upload = id });
        return (await job.SubmitAsync(new JobDraft(JobTypes.CandidatesImport, parameters, null, "upload:" + id, actor.Email, null)), false);
    }
}
