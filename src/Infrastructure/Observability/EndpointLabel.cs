using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Actors.Infrastructure.Observability;

/// <summary>The route template that served a request, as metrics and request logs name it.</summary>
public static class EndpointLabel
{
    public const string Unmatched = "unmatched";

    /// <summary>
    /// The matched route template (<c>/candidates/{id}</c>; a group's root without its trailing
    /// slash). When the exception handler wrote the answer it has cleared the endpoint, so the one
    /// it recorded in <see cref="IExceptionHandlerFeature"/> is used; <c>unmatched</c> when no route matched.
    /// </summary>
    public static string Of(HttpContext context)
    {
        var endpoint = context.GetEndpoint() ?? context.Features.Get<IExceptionHandlerFeature>()?.Endpoint;
        var template = (endpoint as RouteEndpoint)?.RoutePattern.RawText;
        if (string.IsNullOrEmpty(template))
        {
            return Unmatched;
        }
        if (template[0] != '/')
        {
            template = "/" + template;
        }
        return template.Length > 1 ? template.TrimEnd('/') : template;
    }
}
