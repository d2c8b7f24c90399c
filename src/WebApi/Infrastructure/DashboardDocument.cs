using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Actors.WebApi.Infrastructure;

/// <summary>
/// Documents <c>/dashboard</c> (the Orleans dashboard, operators only) in the OpenAPI description:
/// its many internal JSON routes are excluded, the page an operator opens is not.
/// </summary>
public sealed class DashboardDocument : IOpenApiDocumentTransformer
{
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        var responses = new OpenApiResponses
        {
            ["200"] = new OpenApiResponse { Description = "The dashboard page (HTML)." },
            ["401"] = Problem("No token (bearer header or cookie actors_token)."),
            ["403"] = Problem("The token is not an operator's."),
        };
        var operation = new OpenApiOperation
        {
            Summary = "The Orleans dashboard: silos, grains, activations, reminders. Operators only.",
            Description = "The Orleans dashboard (an HTML page and its API) for operators: signed in with an operator's token or the console's cookie.",
            OperationId = "getDashboard",
            Tags = new HashSet<OpenApiTagReference> { new("Operations", document) },
            Responses = responses,
        };
        document.Paths ??= new OpenApiPaths();
        document.Paths["/dashboard"] = new OpenApiPathItem { Operations = new() { [HttpMethod.Get] = operation } };
        return Task.CompletedTask;
    }

    private static OpenApiResponse Problem(string description) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType> { ["application/problem+json"] = new() },
    };
}
