using Actors.Contracts;
using Actors.WebApi.Auth;
using Actors.WebApi.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Actors.WebApi.ReviewConsole;

/// <summary>
/// A signed-in console page. The request has passed the same authentication and tenant admission as
/// an API call (<see cref="TenantAccessMiddleware"/>); each action asks the API's own policy for the
/// caller's role, and a refused or failed action is shown as a message with the API's status code.
/// </summary>
[Authorize(Policy = Policies.Reader)]
public abstract class ConsolePage : PageModel
{
    private readonly Dictionary<string, bool> _rights = [];

    public RequestActor Actor => HttpContext.Actor();

    /// <summary>The tenant this page acts in (an operator's choice from <c>?tenant=</c>, or the user's own).</summary>
    public string? Tenant => Actor.TenantId;

    /// <summary>What the last action did.</summary>
    public string? Notice { get; protected set; }

    /// <summary>Why the last action or read was refused, and its error code.</summary>
    public string? Error { get; protected set; }

    public string? ErrorCode { get; protected set; }

    public bool CanWrite => _rights[Policies.Writer];

    public bool CanAdmin => _rights[Policies.TenantAdmin];

    public bool IsOperator => _rights[Policies.Operator];

    public override async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        var authorization = HttpContext.RequestServices.GetRequiredService<IAuthorizationService>();
        foreach (var policy in new[] { Policies.Writer, Policies.TenantAdmin, Policies.Operator })
        {
            _rights[policy] = (await authorization.AuthorizeAsync(User, policy)).Succeeded;
        }
        await next();
    }

    /// <summary>A console link keeping an operator's tenant; null query values are left out.</summary>
    public string Link(string path, params (string Name, string? Value)[] query)
    {
        var parts = query.Where(q => !string.IsNullOrEmpty(q.Value)).Select(q => $"{q.Name}={Uri.EscapeDataString(q.Value!)}").ToList();
        if (Actor.IsOperator && Tenant is not null && query.All(q => q.Name != "tenant"))
        {
            parts.Insert(0, "tenant=" + Uri.EscapeDataString(Tenant));
        }
        return ConsoleSetup.Path + path + (parts.Count == 0 ? "" : "?" + string.Join('&', parts));
    }

    /// <summary>
    /// Runs a read or an action when the caller's role passes <paramref name="policy"/>; a refusal or an
    /// <see cref="ActorsException"/> becomes the page's message and status code. Answers whether it ran.
    /// </summary>
    protected async Task<bool> TryAsync(string policy, Func<Task> action)
    {
        if (policy != Policies.Reader && !_rights[policy])
        {
            Fail(ErrorCodes.Forbidden, "Your role does not allow this operation.");
            return false;
        }
        try
        {
            await action();
            return true;
        }
        catch (ActorsException e)
        {
            var fields = e.Errors is { Count: > 0 } errors
                ? " " + string.Join("; ", errors.Select(f => $"{f.Key}: {string.Join(", ", f.Value)}")) + "."
                : "";
            Fail(e.Code, e.Message + fields);
            return false;
        }
    }

    protected void Fail(string code, string message)
    {
        ErrorCode = code;
        Error = message;
        Response.StatusCode = ProblemDetailsMapping.StatusFor(code);
    }

    public static string Time(DateTimeOffset? at) => at is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", System.Globalization.CultureInfo.InvariantCulture) : "—";
}
