using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Prometheus;

namespace Actors.Infrastructure.Observability;

/// <summary>
/// <c>http_requests_total{method,endpoint,status_code}</c> and
/// <c>http_request_duration_seconds{method,endpoint}</c>. The endpoint label is the route template
/// (<c>/candidates/{id}</c>), <c>unmatched</c> when no route matched, and the method is one of the
/// standard verbs or <c>OTHER</c>: no label ever carries a raw path, an id, a tenant or a user, so
/// the series stay bounded whatever clients send.
/// </summary>
public sealed class HttpMetrics(RequestDelegate next)
{
    public static readonly Counter Requests = Metrics.CreateCounter(
        "http_requests_total", "HTTP requests answered, by method, route template and status code.",
        new CounterConfiguration { LabelNames = ["method", "endpoint", "status_code"] });

    public static readonly Histogram Duration = Metrics.CreateHistogram(
        "http_request_duration_seconds", "HTTP request duration, by method and route template.",
        new HistogramConfiguration
        {
            LabelNames = ["method", "endpoint"],
            Buckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
        });

    private static readonly string[] StatusCodes = Enumerable.Range(0, 600).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();

    public async Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var failed = false;
        try
        {
            await next(context);
        }
        catch
        {
            failed = true;
            throw;
        }
        finally
        {
            var method = Method(context.Request.Method);
            var endpoint = EndpointLabel.Of(context);
            var status = failed && !context.Response.HasStarted ? 500 : context.Response.StatusCode;
            Requests.WithLabels(method, endpoint, status is >= 0 and < 600 ? StatusCodes[status] : "other").Inc();
            Duration.WithLabels(method, endpoint).Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
    }

    private static string Method(string method) => method switch
    {
        "GET" or "POST" or "PUT" or "PATCH" or "DELETE" or "HEAD" or "OPTIONS" => method,
        _ => "OTHER",
    };
}

public static class HttpMetricsExtensions
{
    public static IApplicationBuilder UseActorsHttpMetrics(this IApplicationBuilder app) => app.UseMiddleware<HttpMetrics>();
}
