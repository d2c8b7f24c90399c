using System.Globalization;
using Actors.Contracts;
using Actors.WebApi.Infrastructure;

namespace Actors.WebApi.Auth;

public sealed record LoginRequest(string? Email, string? Password);

public sealed record TokenResponse(string AccessToken, string TokenType, int ExpiresIn, string Role, string? TenantId);

public sealed record MeResponse(string Email, string Role, string? TenantId);

public static class AuthApi
{
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

    private static async Task<IResult> LoginAsync(HttpContext context, SignInService signIns, TokenIssuer issuer)
    {
        var (email, password) = await ReadCredentialsAsync(context.Request);
        var signIn = await signIns.SignInAsync(context, email, password);
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
