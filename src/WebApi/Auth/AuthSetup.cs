using Actors.Contracts;
using Actors.Infrastructure.Options;
using Actors.WebApi.Infrastructure;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Actors.WebApi.Auth;

public static class AuthSetup
{
    /// <summary>
    /// Cookie the console and the dashboard UI carry the token in (a browser cannot add a bearer header).
    /// Read on those paths only: the JSON API never takes it, so a cross-site form cannot act with it.
    /// </summary>
    public const string DashboardCookie = "actors_token";

    /// <summary>The paths that take the token from <see cref="DashboardCookie"/>.</summary>
    public static bool ReadsCookie(PathString path) =>
        path.StartsWithSegments("/dashboard") || path.StartsWithSegments(ReviewConsole.ConsoleSetup.Path);

    public static WebApplicationBuilder AddActorsAuth(this WebApplicationBuilder builder)
    {
        // The bearer handler's keys are wired here, before the container: read now, with the start-time check.
        var options = builder.AddOptionsReadNow<AuthOptions>(AuthOptions.Section, o => o.Refusal());
        _ = AuthMetrics.Reasons.Length; // exports every failure reason at 0 from the first scrape
        builder.Services.AddSingleton(services => services.GetRequiredService<IOptions<AuthOptions>>().Value);
        builder.Services.AddSingleton<TokenIssuer>();
        builder.Services.AddSingleton<AccessCache>();
        builder.Services.AddOptions<BootstrapOptions>().BindConfiguration(BootstrapOptions.Section).ValidateWith(o => o.Refusal());
        builder.Services.AddHostedService<Bootstrap>();

        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(jwt =>
        {
            jwt.MapInboundClaims = false;
            jwt.TokenHandlers.Clear();
            jwt.TokenHandlers.Add(new JsonWebTokenHandler { MapInboundClaims = false });
            jwt.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = options.Issuer,
                ValidAudience = options.Audience,
                IssuerSigningKeys = options.Keys(),
                ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                ValidateIssuer = true,
                ValidateAudience = true,
                ValidateLifetime = true,
                ValidateIssuerSigningKey = true,
                RequireExpirationTime = true,
                RequireSignedTokens = true,
                ClockSkew = options.ClockSkew,
                NameClaimType = Claims.Subject,
                RoleClaimType = Claims.Role,
            };
            jwt.Events = new JwtBearerEvents
            {
                OnMessageReceived = context =>
                {
                    if (string.IsNullOrEmpty(context.Request.Headers.Authorization)
                        && ReadsCookie(context.Request.Path)
                        && context.Request.Cookies.TryGetValue(DashboardCookie, out var cookie))
                    {
                        context.Token = cookie;
                    }
                    return Task.CompletedTask;
                },
                OnChallenge = async context =>
                {
                    context.HandleResponse();
                    if (ReviewConsole.ConsoleSetup.IsConsole(context.Request.Path))
                    {
                        // A console page without a valid session goes to the sign-in form, not to a JSON 401.
                        context.Response.Redirect(ReviewConsole.ConsoleSetup.SignInUrl(context.Request));
                        return;
                    }
                    var invalid = context.AuthenticateFailure is not null;
                    AuthMetrics.Fail(context.HttpContext, invalid ? "invalid_token" : "missing_token");
                    context.Response.Headers.WWWAuthenticate = invalid ? "Bearer error=\"invalid_token\"" : "Bearer";
                    await Problems.WriteAsync(context.HttpContext, ErrorCodes.Unauthorized,
                        invalid ? "The access token is invalid or expired." : "An access token is required (Authorization: Bearer <token>).");
                },
                OnForbidden = context =>
                {
                    AuthMetrics.Fail(context.HttpContext, "role_forbidden");
                    if (ReviewConsole.ConsoleSetup.IsConsole(context.Request.Path))
                    {
                        return ReviewConsole.ConsoleRefusal.WriteAsync(context.HttpContext, ErrorCodes.Forbidden, "Your role does not allow this page.");
                    }
                    return Problems.WriteAsync(context.HttpContext, ErrorCodes.Forbidden, "Your role does not allow this operation.");
                },
            };
        });

        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Operator, p => p.RequireRole(Roles.Operator))
            .AddPolicy(Policies.TenantAdmin, p => p.RequireRole(Roles.Operator, Roles.Admin))
            .AddPolicy(Policies.Writer, p => p.RequireRole(Roles.Operator, Roles.Admin, Roles.Reviewer))
            .AddPolicy(Policies.Reader, p => p.RequireRole(Roles.Operator, Roles.Admin, Roles.Reviewer, Roles.Viewer));
        return builder;
    }

    public static WebApplication UseActorsAuth(this WebApplication app)
    {
        app.UseAuthentication();
        app.UseMiddleware<TenantAccessMiddleware>();
        app.UseAuthorization();
        return app;
    }
}
