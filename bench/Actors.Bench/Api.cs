using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Actors.Bench;

/// <summary>The API over plain HTTP/1.1 on loopback, as any client would call it.</summary>
public sealed class Api : IDisposable
{
    private readonly SocketsHttpHandler _handler = new()
    {
        MaxConnectionsPerServer = 2048,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        UseCookies = false,
        UseProxy = false,
        AutomaticDecompression = DecompressionMethods.None,
        ConnectTimeout = TimeSpan.FromSeconds(10),
    };

    public Api(Uri baseAddress)
    {
        Anonymous = new HttpClient(_handler, disposeHandler: false) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        Tenant = new HttpClient(_handler, disposeHandler: false) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>No credentials: /ping and /auth/login.</summary>
    public HttpClient Anonymous { get; }

    /// <summary>Signed in as the operator, acting in the benchmark's tenant.</summary>
    public HttpClient Tenant { get; }

    public string TenantId { get; private set; } = "";

    /// <summary>Signs in as the operator and creates a fresh tenant whose request rate never limits the load.</summary>
    public async Task SetUpAsync(string email, string password, int maxConcurrentJobs)
    {
        // The API creates its bootstrap operator in the background once the cluster answers: readiness
        // can come first, so a 401 is retried for a while.
        HttpResponseMessage login;
        for (var attempt = 0; ; attempt++)
        {
            login = await Anonymous.PostAsync("/auth/login", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["username"] = email,
                ["password"] = password,
            }));
            if (login.StatusCode != HttpStatusCode.Unauthorized || attempt >= 60)
            {
                break;
            }
            login.Dispose();
            await Task.Delay(TimeSpan.FromMilliseconds(500));
        }
        using var _ = login;
        var token = (await JsonAsync(login, HttpStatusCode.OK)).GetProperty("access_token").GetString()
            ?? throw new InvalidOperationException("login answered no access_token");
        Tenant.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        TenantId = "bench-" + Guid.NewGuid().ToString("N")[..12];
        // 1,000,000/s is the validator's maximum (TenantsApi): admission never refuses a benchmark request.
        using var created = await Tenant.PostAsync("/tenants", Json(new
        {
            id = TenantId,
            name = "Benchmark " + DateTime.UtcNow.ToString("u"),
            settings = new { max_concurrent_jobs = maxConcurrentJobs, requests_per_second = 1_000_000, max_active_jobs = 1_000_000, max_candidates = 10_000_000 },
        }));
        await JsonAsync(created, HttpStatusCode.Created);
        Tenant.DefaultRequestHeaders.Add("X-Tenant-Id", TenantId);
    }

    public static StringContent Json(object body) =>
        new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != expected)
        {
            throw new InvalidOperationException(
                $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}, expected {(int)expected}: {text}");
        }
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Reads the body to the end (as a real client would) and classifies the status.</summary>
    public static async Task<Outcome> DrainAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        using (response)
        {
            await response.Content.LoadIntoBufferAsync(cancellationToken);
            var code = (int)response.StatusCode;
            if (code is >= 200 and < 300)
            {
                return Outcome.Ok;
            }
            if (code is 409 or 412)
            {
                return Outcome.Conflict;
            }
            Errors.Note($"HTTP {code} {response.RequestMessage?.Method} {Route(response.RequestMessage?.RequestUri)}: "
                        + await response.Content.ReadAsStringAsync(cancellationToken));
            return Outcome.Error;
        }
    }

    private static string Route(Uri? uri) => uri is null ? "" : string.Join('/', uri.AbsolutePath.Split('/').Select(s => Guid.TryParse(s, out _) ? "{id}" : s));

    public void Dispose()
    {
        Anonymous.Dispose();
        Tenant.Dispose();
        _handler.Dispose();
    }
}
