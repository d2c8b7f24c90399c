using System.Diagnostics;
using System.Globalization;
using Actors.Infrastructure.Observability;
using Actors.WebApi.Auth;

namespace Actors.WebApi.Infrastructure;

/// <summary>
/// Every response carries <c>X-Request-Id</c> (the caller's, if it sent a sane one) and
/// <c>X-Process-Time</c> (seconds); every request ends with one JSON log line holding request_id,
/// tenant_id, user_id, endpoint (the route template), method, status_code and duration_ms.
/// </summary>
public sealed partial class RequestTelemetry(RequestDelegate next, ILogger<RequestTelemetry> logger)
{
    public const string RequestIdHeader = "X-Request-Id";
    public const string ProcessTimeHeader = "X-Process-Time";

    public async Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var incoming = context.Request.Headers[RequestIdHeader].ToString();
        if (incoming.Length is > 0 and <= 128 && incoming.All(c => c is > ' ' and <= '~'))
        {
            context.TraceIdentifier = incoming;
        }
        context.Response.OnStarting(() =>
        {
            context.Response.Headers[RequestIdHeader] = context.TraceIdentifier;
            context.Response.Headers[ProcessTimeHeader] =
                Stopwatch.GetElapsedTime(started).TotalSeconds.ToString("0.0000", CultureInfo.InvariantCulture);
            return Task.CompletedTask;
        });

        // Travels with every grain call of this request (Orleans' request context): the silos' lines
        // and the jobs it submits carry the same request_id.
        Orleans.Runtime.RequestContext.Set("request_id", context.TraceIdentifier);
        using (logger.BeginScope(new Dictionary<string, object> { ["request_id"] = context.TraceIdentifier }))
        {
            try
            {
                await next(context);
            }
            finally
            {
                var endpoint = EndpointLabel.Of(context);
                var actor = context.Features.Get<RequestActor>();
                if (!IsProbe(endpoint))
                {
                    // Who and where as fields (null when anonymous or platform-wide), not in the text.
                    using (logger.BeginScope(new KeyValuePair<string, object?>[] { new("tenant_id", actor?.TenantId), new("user_id", actor?.Email) }))
                    {
                        LogRequest(logger, context.Request.Method, endpoint, context.Response.StatusCode,
                            Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 2));
                    }
                }
            }
        }
    }

    // Probes and scrapes would drown the log; their outcome is in the metrics.
    private static bool IsProbe(string endpoint) => endpoint is "/livez" or "/readyz" or "/metrics";

    [LoggerMessage(EventName = "request", Level = LogLevel.Information, Message = "{Method} {Endpoint} {StatusCode} in {DurationMs} ms")]
    private static partial void LogRequest(ILogger logger, string method, string endpoint, int statusCode, double durationMs);
}
