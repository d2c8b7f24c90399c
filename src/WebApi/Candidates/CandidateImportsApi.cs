using Actors.Contracts;
using Actors.Contracts.Candidates;
using Actors.WebApi.Auth;
using Actors.WebApi.Infrastructure;
using Actors.WebApi.Jobs;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Actors.WebApi.Candidates;

/// <summary>
/// <c>POST /candidates/imports</c>: the CSV file is the body as <c>text/csv</c>, or the <c>file</c> part of a
/// <c>multipart/form-data</c> upload; <see cref="CandidateImportService"/> stages it and submits its job,
/// and the answer is that job.
/// </summary>
public static class CandidateImportsApi
{
    public static IEndpointRouteBuilder MapCandidateImportsApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/candidates/imports", (Func<HttpContext, Task<Accepted<JobResponse>>>)ImportAsync).WithTags("Candidates")
            .RequireAuthorization(Policies.Writer)
            .Accepts<string>("text/csv", "multipart/form-data")
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

    private static async Task<Accepted<JobResponse>> ImportAsync(HttpContext context)
    {
        var imports = context.RequestServices.GetRequiredService<CandidateImportService>();
        var (job, replayed) = await imports.StartAsync(context.Actor(), IdempotencyKey.Of(context.Request),
            () => OpenFileAsync(context.Request), context);
        if (replayed)
        {
            context.Response.Headers["Idempotent-Replayed"] = "true";
        }
        return TypedResults.Accepted($"/jobs/{job.Id}", JobResponse.From(job));
    }

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
}
