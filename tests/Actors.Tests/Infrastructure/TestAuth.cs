using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Actors.Tests.Infrastructure;

/// <summary>Test credentials and helpers to sign in over real HTTP.</summary>
public static class TestAuth
{
    public const string SigningKey = "test-signing-key-0123456789-abcdefghijklmnopqrstuvwxyz";
    public const string OperatorEmail = "operator@actors.test";
    public const string OperatorPassword = "operator-password";
    public const string Issuer = "actors";
    public const string Audience = "actors-api";

    public static async Task<HttpResponseMessage> LoginAsync(HttpClient http, string email, string password) =>
        await http.PostAsync("/auth/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["username"] = email,
            ["password"] = password,
        }));

    public static async Task<string> TokenAsync(HttpClient http, string email, string password)
    {
        var response = await LoginAsync(http, email, password);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"login of {email} answered {(int)response.StatusCode}: {body}");
        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("access_token").GetString()!;
    }

    /// <summary>The bootstrap operator; waits for the bootstrap to have created it.</summary>
    public static async Task<string> OperatorTokenAsync(HttpClient http)
    {
        string? token = null;
        await Wait.UntilAsync(async () =>
        {
            var response = await LoginAsync(http, OperatorEmail, OperatorPassword);
            if (response.StatusCode != HttpStatusCode.OK) return false;
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            token = json.RootElement.GetProperty("access_token").GetString();
            return true;
        }, TimeSpan.FromSeconds(30), "bootstrap operator can sign in");
        return token!;
    }

    public static HttpRequestMessage Request(HttpMethod method, string path, string? token, object? body = null, string? tenant = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (tenant is not null) request.Headers.Add("X-Tenant-Id", tenant);
        if (body is not null) request.Content = body as HttpContent ?? JsonContent.Create(body);
        return request;
    }

    public static Task<HttpResponseMessage> SendAsync(this HttpClient http, HttpMethod method, string path, string? token,
        object? body = null, string? tenant = null) => http.SendAsync(Request(method, path, token, body, tenant));

    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Polls a resource (a job) until its <c>status</c> is one of <paramref name="statuses"/>; answers its last body.</summary>
    public static async Task<JsonElement> WaitForStatusAsync(this HttpClient http, string token, string location, params string[] statuses)
    {
        JsonElement body = default;
        await Wait.UntilAsync(async () =>
        {
            body = await (await http.SendAsync(HttpMethod.Get, location, token)).JsonAsync();
            return statuses.Contains(body.GetProperty("status").GetString());
        }, TimeSpan.FromSeconds(30), $"{location} reaches {string.Join("/", statuses)}");
        return body;
    }

    public static string NewSlug(string prefix = "t") => prefix + Guid.NewGuid().ToString("N")[..10];
}
