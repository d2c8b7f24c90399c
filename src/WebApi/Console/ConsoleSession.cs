using Actors.WebApi.Auth;

namespace Actors.WebApi.ReviewConsole;

/// <summary>The console's session: the issued token in the cookie the console and the dashboard read.</summary>
public static class ConsoleSession
{
    /// <summary>HttpOnly, SameSite=Strict, Secure when the request came over https, for the whole host (the dashboard too).</summary>
    public static CookieOptions CookieOptions(HttpRequest request, DateTimeOffset? expires = null) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = request.IsHttps,
        Path = "/",
        Expires = expires,
        IsEssential = true,
    };

    public static void Start(HttpContext context, string token, int lifetimeSeconds, TimeProvider clock) =>
        context.Response.Cookies.Append(AuthSetup.DashboardCookie, token,
            CookieOptions(context.Request, clock.GetUtcNow().AddSeconds(lifetimeSeconds)));

    public static void End(HttpContext context) =>
        context.Response.Cookies.Delete(AuthSetup.DashboardCookie, CookieOptions(context.Request));
}
