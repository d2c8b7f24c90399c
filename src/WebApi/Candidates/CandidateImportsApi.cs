using System.Text;
using System.Text.Json;
using Actors.Grains;
using Actors.Grains.Candidates;
using Actors.Grains.Jobs;
using Actors.WebApi.Auth;
using Actors.WebApi.Infrastructure;
using Actors.WebApi.Jobs;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using Npgsql;
using NpgsqlTypes;

namespace Actors.WebApi.Candidates;

/// <summary>
/// <c>POST /candidates/imports</c>: a CSV file (the body as <c>text/csv</c>, or the <c>file</c> part of a
/// <c>multipart/form-data</c> upload) is read record by record, checked, and copied into
/// <c>candidate_import_rows</c> in one transaction: the whole file or nothing. Then the import's job
/// (its id is the import's) moves the rows into candidates in batches; the answer is that job.
/// </summary>
public static class CandidateImportsApi
{
    public static IEndpointRouteBuilder MapCandidateImportsApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/candidates/imports", (Func<HttpContext, Task<IResult>>)ImportAsync).WithTags("Candidates")
            .RequireAuthorization(Policies.Writer)
            .Accepts<string>("text/csv", "multipart/form-data")
            .Produces<JobResponse>(202)
            .ProducesProblem(400).ProducesProblem(401).ProducesProblem(403).ProducesProblem(413).ProducesProblem(415)
            .ProducesProblem(422).ProducesProblem(429).ProducesProblem(503)
            .WithSummary("Import candidates from a CSV file (header company_name,contact_email[,contact_phone][,products], products " +
                         "separated by ';'), up to 100 MB and 1,000,000 records: 202 with the import's job, whose result lists the " +
                         "refused records by line. Idempotency-Key: the same key answers the first import's job.")
            .AddOpenApiOperationTransformer((operation, _, _) =>
            {
                // The body is read by hand (streamed): describe it as a CSV text with an example, or a file part.
                operation.RequestBody = new Microsoft.OpenApi.OpenApiRequestBody
                {
                    Required = true,
                    Description = "The CSV file, UTF-8.",
                    Content = new Dictionary<string, Microsoft.OpenApi.OpenApiMediaType>
                    {
                        ["text/csv"] = new()
                        {
                            Schema = new Microsoft.OpenApi.OpenApiSchema { Type = Microsoft.OpenApi.JsonSchemaType.String },
                            Example = System.Text.Json.Nodes.JsonValue.Create(CandidateCsv.Example),
                        },
                        ["multipart/form-data"] = new()
                        {
                            Schema = new Microsoft.OpenApi.OpenApiSchema
                            {
                                Type = Microsoft.OpenApi.JsonSchemaType.Object,
                                Required = new HashSet<string> { "file" },
                                Properties = new Dictionary<string, Microsoft.OpenApi.IOpenApiSchema>
                                {
                                    ["file"] = new Microsoft.OpenApi.OpenApiSchema { Type = Microsoft.OpenApi.JsonSchemaType.String, Format = "binary" },
                                },
                            },
                        },
                    },
                };
                return Task.CompletedTask;
            });
        return endpoints;
    }

    private static async Task<IResult> ImportAsync(HttpContext context)
    {
        var errors = new Validator();
        var key = IdempotencyKey.Read(context.Request, errors);
        errors.ThrowIfAny();
        var (job, replayed) = await StartAsync(context, () => OpenFileAsync(context.Request), key);
        if (replayed)
        {
            context.Response.Headers["Idempotent-Replayed"] = "true";
        }
        return TypedResults.Accepted($"/jobs/{job.Id}", JobResponse.From(job));
    }

    /// <summary>
    /// Stages the file <paramref name="open"/> gives and submits its import job (the API's route, and the
    /// console's upload form); with a key whose import exists, answers that import's job without reading.
    /// </summary>
    public static async Task<(JobInfo Job, bool Replayed)> StartAsync(HttpContext context, Func<Task<Stream>> open, string? key)
    {
        var services = context.RequestServices;
        var options = services.GetRequiredService<Microsoft.Extensions.Options.IOptions<ImportOptions>>().Value;
        var db = services.GetRequiredService<NpgsqlDataSource>();
        var access = services.GetRequiredService<AccessCache>();
        var actor = context.Actor();
        var tenant = actor.RequireTenant();
        var id = key is null ? Guid.CreateVersion7() : IdempotencyKey.DeriveId(tenant, "import", key);
        var job = services.GetRequiredService<IClusterClient>().GetGrain<IJobGrain>(id, tenant);
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

    private static ActorsException TooLarge(ImportOptions options) => new(ErrorCodes.TooLarge,
        $"An import holds at most {(options.MaxBytes >= 1024 * 1024 ? $"{options.MaxBytes / (1024 * 1024)} MB" : $"{options.MaxBytes / 1024} KB")} " +
        $"and {options.MaxRows.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} records; split the file.");

    /// <summary>The file's bytes: the body itself, or the <c>file</c> part of a multipart upload.</summary>
    private static async Task<Stream> OpenFileAsync(HttpRequest request)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type))
        {
            throw Unsupported();
        }
        if (type.MediaType.Equals("text/csv", StringComparison.OrdinalIgnoreCase))
        {
            if (type.Charset.HasValue && !type.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase))
            {
                throw Unsupported();
            }
            return request.Body;
        }
        if (type.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            && HeaderUtilities.RemoveQuotes(type.Boundary).Value is { Length: > 0 and <= 200 } boundary)
        {
            var reader = new MultipartReader(boundary, request.Body);
            while (await reader.ReadNextSectionAsync() is { } section)
            {
                if (ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                    && disposition.IsFileDisposition() && disposition.Name.Equals("file", StringComparison.Ordinal))
                {
                    return section.Body;
                }
            }
            throw ActorsException.Invalid("file", "is required: a multipart part named file");
        }
        throw Unsupported();
    }

    private static ActorsException Unsupported() => new(ErrorCodes.UnsupportedMediaType,
        "Send the CSV file as the body (Content-Type: text/csv; charset=utf-8) or as the part 'file' of multipart/form-data.");

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
