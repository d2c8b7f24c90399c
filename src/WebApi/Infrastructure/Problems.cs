namespace Actors.WebApi.Infrastructure;

/// <summary>Writes problem details from middleware (where exceptions would be too late or too costly).</summary>
public static class Problems
{
    public static async Task WriteAsync(HttpContext context, string code, string detail, IReadOnlyDictionary<string, string[]>? errors = null)
    {
        var problem = ProblemDetailsMapping.Create(ProblemDetailsMapping.StatusFor(code), code, ProblemDetailsMapping.TitleFor(code), detail);
        if (errors is not null)
        {
            problem.Extensions["errors"] = errors;
        }
        context.Response.StatusCode = problem.Status!.Value;
        var service = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        await service.WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem });
    }
}
