namespace Actors.WebApi.Infrastructure;

public static class ResourceGroups
{
    /// <summary>
    /// The route group of a tenant's resource (<c>/candidates</c>, <c>/jobs</c>, <c>/schedules</c>): each of
    /// its routes may answer 401 (no or bad token), 403 (role, tenant suspended), 429 (rate) and 503
    /// (a dependency down), as the OpenAPI description says.
    /// </summary>
    public static RouteGroupBuilder MapResourceGroup(this IEndpointRouteBuilder endpoints, string prefix, string tag) =>
        endpoints.MapGroup(prefix).WithTags(tag)
            .ProducesProblem(401).ProducesProblem(403).ProducesProblem(429).ProducesProblem(503);
}
