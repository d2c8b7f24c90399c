using System.Globalization;
using Actors.Grains;
using Actors.Grains.Tenants;
using Actors.Grains.Users;
using Actors.WebApi.Infrastructure;

namespace Actors.WebApi.Auth;

public sealed record LoginRequest(string? Email, string? Password);

public sealed record TokenResponse(string AccessToken, string TokenType, int ExpiresIn, string Role, string? TenantId);

public sealed record MeResponse(string Email, string Role, string? TenantId);

/// <summary>A sign-in's answer: the user and its token, or the error code and message of the refusal.</summary>
public sealed record SignInOutcome(UserInfo? User, string? Token, string? Code, string? Message, int RetryAfterSeconds)
{
    public static SignInOutcome Refused(string code, string message, int retryAfterSeconds = 0) => new(null, null, code, message, retryAfterSeconds);
}

public static class AuthApi
{
    private const string BadCredentials = "Incorrect email or password.";

    public static IEndpointRouteBuilder MapAuthApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/auth").WithTags("Auth");
        group.MapPost("/login", LoginAsync)
            .AllowAnonymous()
            .Accepts<LoginRequest>("application/json", "application/x-www-form-urlencoded")
            .WithSummary("Sign in: form fields username and password, or JSON {email, password}.")
            .Produces<TokenResponse>().ProducesProblem(400).ProducesProblem(401).ProducesProblem(403).ProducesProblem(429).ProducesProblem(503);
        group.MapGet("/me", (HttpContext context) =>
            {
                var actor = context.Actor();
                return TypedResults.Ok(new MeResponse(actor.Email, Roles.Of(actor.Role), actor.TenantId));
            })
            .RequireAuthorization(Policies.Reader)
            .WithSummary("The signed-in user and the tenant the request acts in.")
            .ProducesProblem(401);
        return endpoints;
    }

    private static async Task<IResult> LoginAsync(HttpContext context, IClusterClient cluster, TokenIssuer issuer)
    {
        var (email, password) = await ReadCredentialsAsync(context.Request);
        var errors = new Validator();
        errors.Email("email", email);
        errors.Required("password", password, max: 256);
        errors.ThrowIfAny();

        var signIn = await SignInAsync(context, cluster, issuer, email!, password!);
        if (signIn.Code == ErrorCodes.RateLimited)
        {
            // Written here, not thrown: the exception handler clears headers such as Retry-After.
            context.Response.Headers.RetryAfter = signIn.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            await Problems.WriteAsync(context, signIn.Code, signIn.Message!);
            return Results.Empty;
        }
        if (signIn.Code is not null)
        {
            throw new ActorsException(signIn.Code, signIn.Message!);
        }
        var user = signIn.User!;
        return TypedResults.Ok(new TokenResponse(signIn.Token!, "bearer", issuer.LifetimeSeconds, Roles.Of(user.Role), user.TenantId));
    }

    /// <summary>
    /// The one sign-in check, shared by <c>POST /auth/login</c> and the console's sign-in form: the user
    /// grain's password and lockout answer, then the tenant's suspension; a token when both pass.
    /// </summary>
    public static async Task<SignInOutcome> SignInAsync(HttpContext context, IClusterClient cluster, TokenIssuer issuer, string email, string password)
    {
        var outcome = await cluster.GetGrain<IUserGrain>(GrainKeys.User(email)).LoginAsync(password);
        switch (outcome.Result)
        {
            case LoginResult.LockedOut:
                AuthMetrics.Fail(context, "locked_out");
                return SignInOutcome.Refused(ErrorCodes.RateLimited, "Too many failed sign-in attempts; try again later.", Math.Max(1, outcome.RetryAfterSeconds));
            case LoginResult.InvalidCredentials:
                AuthMetrics.Fail(context, "invalid_credentials");
                return SignInOutcome.Refused(ErrorCodes.Unauthorized, BadCredentials);
        }

        var user = outcome.User!;
        if (user.TenantId is not null)
        {
            var tenant = await cluster.GetGrain<ITenantGrain>(GrainKeys.Tenant(user.TenantId)).GetAsync();
            if (tenant is not { IsActive: true })
            {
                AuthMetrics.Fail(context, "tenant_suspended");
                return SignInOutcome.Refused(ErrorCodes.TenantSuspended, $"Tenant '{user.TenantId}' is suspended.");
            }
        }
        return new SignInOutcome(user, issuer.Issue(user), null, null, 0);
    }

    private static async Task<(string? Email, string? Password)> ReadCredentialsAsync(HttpRequest request)
    {
        if (request.HasFormContentType)
        {
            IFormCollection form;
            try
            {
                form = await request.ReadFormAsync();
            }
            catch (InvalidDataException)
            {
                // A form over the reader's limits (key or value length, count): the client's mistake, not a 500.
                throw new ActorsException(ErrorCodes.Validation, "The form is malformed or over its size limits.",
                    new Dictionary<string, string[]> { ["body"] = ["must be a form with the fields username and password"] });
            }
            return (form["username"].FirstOrDefault() ?? form["email"].FirstOrDefault(), form["password"].FirstOrDefault());
        }
        if (request.HasJsonContentType())
        {
            try
            {
                var body = await request.ReadFromJsonAsync<LoginRequest>();
                return (body?.Email, body?.Password);
            }
            catch (System.Text.Json.JsonException)
            {
                // Malformed JSON, a wrong type or an unknown field: the client's mistake, not a 500.
                throw new ActorsException(ErrorCodes.Validation, "The body is not a JSON object {email, password}.",
                    new Dictionary<string, string[]> { ["body"] = ["must be a JSON object with the string fields email and password only"] });
            }
        }
        throw new ActorsException(ErrorCodes.Validation,
            "Send the credentials as application/x-www-form-urlencoded (username, password) or application/json (email, password).");
    }
}
