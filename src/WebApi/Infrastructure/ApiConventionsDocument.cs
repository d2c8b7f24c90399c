using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Actors.WebApi.Infrastructure;

/// <summary>
/// What every client generator needs from the description that the endpoints do not say by
/// themselves: the bearer scheme on every protected operation, and the headers the API reads
/// (<c>X-Tenant-Id</c> on tenant routes, <c>Idempotency-Key</c> on creates and decisions,
/// <c>If-Match</c> on a candidate's change).
/// </summary>
public sealed class ApiConventionsDocument : IOpenApiDocumentTransformer, IOpenApiOperationTransformer
{
    public const string Scheme = "bearer";

    private static readonly string[] TenantRoutes = ["/candidates", "/jobs", "/schedules", "/auth/me"];

    private static readonly (string Method, string Path)[] IdempotentRoutes =
    [
        ("POST", "/candidates"), ("POST", "/candidates/imports"), ("POST", "/jobs"), ("POST", "/candidates/{id}/approve"), ("POST", "/candidates/{id}/reject"),
    ];

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info.Title = "Actors API";
        document.Info.Description = "Provider onboarding (candidates reviewed and approved into billing), background jobs and " +
            "schedules, for the tenants Actors serves. Sign in with POST /auth/login and send its access_token as a bearer token; " +
            "errors are RFC 9457 problem details.";
        document.Info.Contact = new OpenApiContact { Name = "Actors operators", Url = new Uri("https://actors.invalid/docs/OPERATIONS") };
        // The server is the host that served this description, without the trailing slash.
        foreach (var server in document.Servers ?? [])
        {
            server.Url = server.Url?.TrimEnd('/');
        }
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[Scheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = "The access_token of POST /auth/login, as 'Authorization: Bearer <token>'.",
        };
        return Task.CompletedTask;
    }

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var description = context.Description;
        var metadata = description.ActionDescriptor.EndpointMetadata;
        var path = "/" + (description.RelativePath ?? "").TrimEnd('/');
        var method = description.HttpMethod ?? "";
        // A stable name per operation for client generators: the method and the path's words (PostCandidatesIdApprove).
        operation.OperationId ??= OperationId(method, path);
        operation.Description ??= operation.Summary ?? $"{method} {path}";
        if (metadata.OfType<IAuthorizeData>().Any() && !metadata.OfType<IAllowAnonymous>().Any())
        {
            operation.Security ??= [];
            operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(Scheme, context.Document)] = [] });
        }
        if (TenantRoutes.Any(r => path == r || path.StartsWith(r + "/", StringComparison.Ordinal)))
        {
            Add(operation, "X-Tenant-Id", "The tenant the request acts in: operators name one (without it their lists cover every tenant " +
                "and their writes are refused 400); other users may omit it or send their own.", "^[a-z][a-z0-9-]{1,62}$");
        }
        if (IdempotentRoutes.Contains((method, path)))
        {
            Add(operation, "Idempotency-Key", "A retry with the same key (and body) answers the first result; another body with the key is 422.", null);
        }
        if (method == "PATCH" && path == "/candidates/{id}")
        {
            Add(operation, "If-Match", "The ETag of the candidate as read (\"3\"): a change to another version is refused 412.", null);
        }
        return Task.CompletedTask;
    }

    public static string OperationId(string method, string path) =>
        string.Concat(new[] { method.ToLowerInvariant() }.Concat(path.Split('/', '{', '}', '-', '.', '_'))
            .Where(w => w.Length > 0).Select(w => char.ToUpperInvariant(w[0]) + w[1..]));

    private static void Add(OpenApiOperation operation, string header, string text, string? pattern)
    {
        operation.Parameters ??= [];
        if (operation.Parameters.Any(p => p.Name == header))
        {
            return;
        }
        operation.Parameters.Add(new OpenApiParameter
        {
            Name = header,
            In = ParameterLocation.Header,
            Required = false,
            Description = text,
            Schema = new OpenApiSchema { Type = JsonSchemaType.String, Pattern = pattern, MaxLength = 255 },
        });
    }
}
