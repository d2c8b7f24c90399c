using System.Net;

namespace Actors.Tests.Infrastructure;

/// <summary>Builds tenants and users through the real API, as an operator would.</summary>
public sealed class Scenario(HttpClient http, string operatorToken)
{
    public HttpClient Http => http;
    public string OperatorToken => operatorToken;

    public static async Task<Scenario> StartAsync(HttpClient http) => new(http, await TestAuth.OperatorTokenAsync(http));

    public async Task<string> CreateTenantAsync(object? settings = null, string? slug = null)
    {
        slug ??= TestAuth.NewSlug();
        var response = await http.SendAsync(HttpMethod.Post, "/tenants", operatorToken,
            new { id = slug, name = "Tenant " + slug, settings });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return slug;
    }

    /// <summary>Creates a user in <paramref name="tenant"/> (as the operator) and answers its token.</summary>
    public async Task<string> UserTokenAsync(string tenant, string role, string? email = null, string password = "password-123")
    {
        email ??= $"{role}-{Guid.NewGuid():N}@{tenant}.test";
        var response = await http.SendAsync(HttpMethod.Post, $"/tenants/{tenant}/users", operatorToken,
            new { email, password, role });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await TestAuth.TokenAsync(http, email, password);
    }
}
