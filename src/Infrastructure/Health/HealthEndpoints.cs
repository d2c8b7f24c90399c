using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Actors.Infrastructure.Health;

/// <summary>
/// The operations endpoints shared by the API and the silos:
/// <c>/livez</c> (process only), <c>/readyz</c> (every check tagged ready),
/// <c>/health</c> and <c>/healthz</c> (summary), <c>/health/detailed</c> (each check, with timings).
/// Unhealthy answers are 503 with <c>Retry-After</c>.
/// </summary>
public static class HealthEndpoints
{
    public const string ReadyTag = "ready";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    public static IHealthChecksBuilder AddActorsHealthChecks(this IServiceCollection services)
    {
        return services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", HealthStatus.Unhealthy, [ReadyTag]);
    }

    public static IEndpointRouteBuilder MapActorsHealth(this IEndpointRouteBuilder endpoints, string service)
    {
        var version = typeof(HealthEndpoints).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

        endpoints.MapGet("/livez", () => Results.Json(new { status = "alive", service }))
            .WithTags("Operations").WithSummary("Liveness: the process answers. No dependency is checked.");

        var ready = new HealthCheckOptions
        {
            Predicate = c => c.Tags.Contains(ReadyTag),
            ResponseWriter = (context, report) => WriteAsync(context, report, new
            {
                status = report.Status == HealthStatus.Healthy ? "ready" : "not_ready",
                service,
                checks = report.Entries.ToDictionary(e => e.Key, e => StatusName(e.Value.Status)),
            }),
        };
        endpoints.MapHealthChecks("/readyz", ready).WithTags("Operations")
            .WithSummary("Readiness: the database and the cluster answer.");

        var summary = new HealthCheckOptions
        {
            Predicate = c => c.Tags.Contains(ReadyTag),
            ResponseWriter = (context, report) => WriteAsync(context, report, new
            {
                status = StatusName(report.Status),
                service,
                version,
                database = report.Entries.TryGetValue("database", out var db) ? db.Description : "unknown",
                timestamp = DateTimeOffset.UtcNow,
            }),
        };
        endpoints.MapHealthChecks("/health", summary).WithTags("Operations").WithSummary("Health summary.");
        endpoints.MapHealthChecks("/healthz", summary).WithTags("Operations").WithSummary("Health summary (alias of /health).");

        var detailed = new HealthCheckOptions
        {
            ResponseWriter = (context, report) => WriteAsync(context, report, new
            {
                status = StatusName(report.Status),
                service,
                version,
                timestamp = DateTimeOffset.UtcNow,
                total_duration_ms = Math.Round(report.TotalDuration.TotalMilliseconds, 1),
                checks = report.Entries.ToDictionary(e => e.Key, e => new Dictionary<string, object?>(
                    e.Value.Data.Select(d => new KeyValuePair<string, object?>(d.Key, d.Value)))
                {
                    ["status"] = StatusName(e.Value.Status),
                    ["description"] = e.Value.Description,
                    ["response_time_ms"] = Math.Round(e.Value.Duration.TotalMilliseconds, 1),
                }),
            }),
        };
        endpoints.MapHealthChecks("/health/detailed", detailed).WithTags("Operations")
            .WithSummary("Each dependency with its status and response time.");

        return endpoints;
    }

    private static Task WriteAsync(HttpContext context, HealthReport report, object body)
    {
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        if (report.Status == HealthStatus.Unhealthy)
        {
            context.Response.Headers.RetryAfter = "5";
        }
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, Json));
    }

    private static string StatusName(HealthStatus status) => status switch
    {
        HealthStatus.Healthy => "healthy",
        HealthStatus.Degraded => "degraded",
        _ => "unhealthy",
    };
}
