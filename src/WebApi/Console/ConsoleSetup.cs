using System.Reflection;
using Actors.WebApi.Auth;

namespace Actors.WebApi.ReviewConsole;

/// <summary>
/// The review console at <c>/console</c>: Razor Pages rendered on the server, signed in with the
/// API's own accounts (the token in the <see cref="AuthSetup.DashboardCookie"/> cookie), behind the
/// same authentication, tenant admission and policies as the JSON API.
/// </summary>
public static class ConsoleSetup
{
    public const string Path = "/console";

    /// <summary>No inline script or style, nothing from another host, no framing.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; " +
        "frame-ancestors 'none'; base-uri 'none'";

    public static bool IsConsole(PathString path) => path.StartsWithSegments(Path);

    /// <summary>The sign-in page, coming back to this request's page afterwards.</summary>
    public static string SignInUrl(HttpRequest request) =>
        $"{Path}/signin?returnUrl={Uri.EscapeDataString(request.PathBase + request.Path + request.QueryString)}";

    public static WebApplicationBuilder AddActorsConsole(this WebApplicationBuilder builder)
    {
        builder.Services.AddRazorPages(o => o.RootDirectory = "/Console");
        builder.Services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "actors_console_af";
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.FormFieldName = "__csrf";
        });
        builder.Services.AddTransient<IStartupFilter, SecurityHeaders>();
        return builder;
    }

    public static WebApplication MapActorsConsole(this WebApplication app)
    {
        app.MapRazorPages().ExcludeFromDescription();
        app.MapGet(Path + "/assets/{name}", (string name) => Asset(name)).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    private static IResult Asset(string name)
    {
        var type = System.IO.Path.GetExtension(name) switch
        {
            ".css" => "text/css; charset=utf-8",
            ".js" => "text/javascript; charset=utf-8",
            _ => null,
        };
        var stream = type is null ? null : Assembly.GetExecutingAssembly().GetManifestResourceStream("console-assets/" + name);
        return stream is null ? TypedResults.NotFound() : TypedResults.Stream(stream, type);
    }

    /// <summary>
    /// First in the pipeline, so every console answer carries them, refusals from the tenant check included.
    /// </summary>
    private sealed class SecurityHeaders : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                if (IsConsole(context.Request.Path))
                {
                    var headers = context.Response.Headers;
                    headers.ContentSecurityPolicy = ContentSecurityPolicy;
                    headers.XContentTypeOptions = "nosniff";
                    headers.XFrameOptions = "DENY";
                    headers["Referrer-Policy"] = "same-origin";
                    // As antiforgery sets them on pages with a form (it warns when it has to override others).
                    headers.CacheControl = "no-cache, no-store";
                    headers.Pragma = "no-cache";
                }
                return nextMiddleware(context);
            });
            next(app);
        };
    }
}
