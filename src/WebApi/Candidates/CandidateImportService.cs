using System.Text;
using System.Text.Json;
using Actors.Grains;
using Actors.Grains.Candidates;
using Actors.Grains.Jobs;
using Actors.WebApi.Auth;
using Actors.WebApi.Infrastructure;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

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
        await TenantQuota.EnsureRoomAsync(access, db, tenant, "candidates", s => s.MaxCandidates, "candidate.status", []);
        await TenantQuota.EnsureRoomAsync(access, db, tenant, "active_jobs", s => s.MaxActiveJobs, "job.status", ["queued", "processing"]);

        // A declared length over the limit is refused before the limit is raised: the server then reads
        // (and drops) at most the usual 1 MB of it, so a small client sees its 413 rather than a reset.
        if (context.Request.ContentLength > options.MaxBytes)
        {
            throw TooLarge(options);
        }
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = options.MaxBytes;
        }
        try
        {
            await StageAsync(db, id, tenant, actor.Email, await open(), options, context.RequestAborted);
        }
        catch (BadHttpRequestException bad) when (bad.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw TooLarge(options);
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

    internal static ActorsException TooLarge(ImportOptions options) => new(ErrorCodes.TooLarge,
        $"An import holds at most {(options.MaxBytes >= 1024 * 1024 ? $"{options.MaxBytes / (1024 * 1024)} MB" : $"{options.MaxBytes / 1024} KB")} " +
        $"and {options.MaxRows.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} records; split the file.");

    /// <summary>
    /// Reads, checks and copies every record in one transaction. The import's row is written last, so a
    /// file cut short, too large or not CSV leaves nothing behind; a retried upload with the same
    /// Idempotency-Key whose job was never created replaces what an earlier attempt staged.
    /// </summary>
    private static async Task StageAsync(NpgsqlDataSource db, Guid id, string tenant, string actor, Stream file, ImportOptions options,
        CancellationToken cancellationToken)
    {
        using var text = new StreamReader(file, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true),
            detectEncodingFromByteOrderMarks: true, bufferSize: 64 * 1024, leaveOpen: true);
        var csv = new CsvRecords(text);
        var fields = new List<string>();
        if (!await csv.ReadAsync(fields))
        {
            throw ActorsException.Invalid("file", CandidateCsv.EmptyRefusal);
        }
        var format = CandidateCsv.FromHeader(fields, out var headerErrors);
        if (format is null)
        {
            var errors = new Validator();
            headerErrors.ForEach(e => errors.Add("file", e));
            errors.ThrowIfAny();
        }

        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var clear = new NpgsqlCommand(
            "WITH staged AS (DELETE FROM candidate_import_rows WHERE import_id = $1) DELETE FROM candidate_imports WHERE id = $1", connection, transaction))
        {
            clear.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Uuid, Value = id });
            await clear.ExecuteNonQueryAsync(cancellationToken);
        }
        int rows = 0, invalid = 0;
        var idText = id.ToString();
        await using (var copy = await connection.BeginBinaryImportAsync(
            "COPY candidate_import_rows (import_id, seq, line, candidate_id, company_name, contact_email, contact_phone, products, error) " +
            "FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            while (await csv.ReadAsync(fields))
            {
                if (++rows > options.MaxRows)
                {
                    throw TooLarge(options);
                }
                var line = csv.StartLine;
                await copy.StartRowAsync(cancellationToken);
                await copy.WriteAsync(id, NpgsqlDbType.Uuid, cancellationToken);
                await copy.WriteAsync(rows, NpgsqlDbType.Integer, cancellationToken);
                await copy.WriteAsync(line, NpgsqlDbType.Integer, cancellationToken);
                var refusal = format!.Check(fields, out var row);
                if (refusal is not null)
                {
                    invalid++;
                    for (var i = 0; i < 5; i++) await copy.WriteNullAsync(cancellationToken);
                    await copy.WriteAsync(JsonSerializer.Serialize(refusal), NpgsqlDbType.Text, cancellationToken);
                    continue;
                }
                await copy.WriteAsync(StableId.Create("import", idText, line.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                    NpgsqlDbType.Uuid, cancellationToken);
                await copy.WriteAsync(row.CompanyName, NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(row.ContactEmail, NpgsqlDbType.Text, cancellationToken);
                if (row.ContactPhone is null) await copy.WriteNullAsync(cancellationToken);
                else await copy.WriteAsync(row.ContactPhone, NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(row.Products.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text, cancellationToken);
                await copy.WriteNullAsync(cancellationToken);
            }
            if (rows == 0)
            {
                throw ActorsException.Invalid("file", "has a header and no records");
            }
            await copy.CompleteAsync(cancellationToken);
        }
        await using (var insert = new NpgsqlCommand(
            "INSERT INTO candidate_imports (id, tenant_id, created_by, created_at, rows, invalid) VALUES ($1, $2, $3, now(), $4, $5)",
            connection, transaction))
        {
            insert.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Uuid, Value = id });
            insert.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = tenant });
            insert.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = actor });
            insert.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Integer, Value = rows });
            insert.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Integer, Value = invalid });
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
    }
}
