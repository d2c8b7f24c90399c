using System.Text.Encodings.Web;
using Actors.Contracts;
using Actors.WebApi.Auth;
using Actors.WebApi.Infrastructure;

namespace Actors.WebApi.ReviewConsole;

/// <summary>
/// A refusal by the authentication or tenant checks, on a console path: the same status code and message
/// as the API's problem details, as a page. A session that can no longer act (revoked token, suspended
/// tenant) is signed out, so the sign-in form answers next and says why.
/// </summary>
public static class ConsoleRefusal
{
    public static async Task WriteAsync(HttpContext context, string code, string detail)
    {
        if (code is ErrorCodes.Unauthorized or ErrorCodes.TenantSuspended)
        {
            context.Response.Cookies.Delete(AuthSetup.DashboardCookie, ConsoleSession.CookieOptions(context.Request));
        }
        context.Response.StatusCode = ProblemDetailsMapping.StatusFor(code);
        context.Response.ContentType = "text/html; charset=utf-8";
        var message = HtmlEncoder.Default.Encode(detail);
        var title = HtmlEncoder.Default.Encode(ProblemDetailsMapping.TitleFor(code));
        await context.Response.WriteAsync($"""
            <!DOCTYPE html>
            <html lang="en">
            <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{title} - Actors console</title><link rel="stylesheet" href="{ConsoleSetup.Path}/assets/console.css"></head>
            <body><header><p class="brand">Actors console</p></header>
            <main id="main"><h1>{title}</h1><p class="message error" role="alert" data-code="{code}">{message}</p>
            <p><a href="{ConsoleSetup.Path}/signin">Sign in</a> · <a href="{ConsoleSetup.Path}">Console home</a></p></main></body>
            </html>
            """);
    }
}
