using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Actors.Tests.Infrastructure;

/// <summary>
/// A real HTTP billing service on loopback: <c>POST /provider</c> fails the first
/// <see cref="FailFirst"/> calls with <see cref="FailureStatus"/>, then creates one provider per
/// Idempotency-Key (a repeated key answers the same provider).
/// </summary>
public sealed class BillingStub : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _calls;

    public int FailFirst { get; set; }
    public int FailureStatus { get; set; } = 503;
    public int Calls => _calls;
    public ConcurrentDictionary<string, string> Providers { get; } = new();
    public string Url { get; }

    private BillingStub(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    public static async Task<BillingStub> StartAsync()
    {
        var port = ApiHost.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var stub = new BillingStub(app, $"http://127.0.0.1:{port}");
        app.MapPost("/provider", (HttpRequest request) =>
        {
            var call = Interlocked.Increment(ref stub._calls);
            if (call <= stub.FailFirst)
            {
                return Results.StatusCode(stub.FailureStatus);
            }
            var key = request.Headers["Idempotency-Key"].ToString();
            var provider = stub.Providers.GetOrAdd(key, _ => "prov-" + Guid.NewGuid().ToString("N")[..8]);
            return Results.Json(new { provider_id = provider });
        });
        await app.StartAsync();
        return stub;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
