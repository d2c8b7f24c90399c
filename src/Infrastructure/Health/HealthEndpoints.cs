using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using Actors.Data.Jobs;

namespace Actors.Infrastructure.Health;

/// <summary>
/// The operations endpoints shared by the API and the silos:
/// <c>/livez</c> (process only), <c>/readyz</c> (every check tagged ready),
/// <c>/</c>, <c>/health</c> and <c>/healthz</c> (summary), <c>/health/detailed</c> and <c>/healthz/detailed</c>
/// (each check, with timings), <c>/healthz/jobs</c> (the job engine, cluster-wide).
/// Unhealthy answers are 503 with <c>Retry-After</c>.
/// </summary>
public static class HealthEndpoints
{
    public const string ReadyTag = "ready";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };
    private static readonly JsonSerializerOptions HealthJson = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static IHealthChecksBuilder AddActorsHealthChecks(this IServiceCollection services)
    {
        return services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", HealthStatus.Unhealthy, [ReadyTag]);
    }

    public static IEndpointRouteBuilder MapActorsHealth(this IEndpointRouteBuilder endpoints, string service)
    {
        var version = typeof(HealthEndpoints).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
        static bool Ready(HealthCheckRegistration c) => c.Tags.Contains(ReadyTag);

        // Plain minimal-API handlers (not MapHealthChecks) so that each probe is in the OpenAPI description.
        endpoints.MapGet("/livez", () => Results.Json(new { status = "alive", service }))
            .WithTags("Operations").WithSummary("Liveness: the process answers. No dependency is checked.")
            .Produces(StatusCodes.Status200OK, contentType: "application/json");

        endpoints.MapGet("/readyz", async (HealthCheckService health, HttpContext context) =>
            {
                var report = await health.CheckHealthAsync(Ready, context.RequestAborted);
                await WriteAsync(context, report, new
                {
                    status = report.Status == HealthStatus.Healthy ? "ready" : "not_ready",
                    service,
                    checks = report.Entries.ToDictionary(e => e.Key, e => StatusName(e.Value.Status)),
                });
            })
            .WithTags("Operations").WithSummary("Readiness: the database and the cluster answer (503 with Retry-After otherwise).")
            .Produces(StatusCodes.Status200OK, contentType: "application/json")
            .Produces(StatusCodes.Status503ServiceUnavailable, contentType: "application/json");

        async Task Summary(HealthCheckService health, HttpContext context)
        {
            var report = await health.CheckHealthAsync(Ready, context.RequestAborted);
            await WriteAsync(context, report, new
            {
                status = StatusName(report.Status),
                service,
                version,
                database = report.Entries.TryGetValue("database", out var db) ? db.Description : "unknown",
                timestamp = DateTimeOffset.UtcNow,
            });
        }
        // "/" is the seeds' basic health (GET / answers {"status": "healthy"}).
        foreach (var path in new[] { "/health", "/healthz", "/" })
        {
            endpoints.MapGet(path, Summary).WithTags("Operations")
                .WithSummary(path == "/health" ? "Health summary: status, service, version, database, timestamp." : $"Health summary (alias of /health, as the seeds' runbooks call it).")
                .Produces(StatusCodes.Status200OK, contentType: "application/json")
                .Produces(StatusCodes.Status503ServiceUnavailable, contentType: "application/json");
        }

        async Task Detailed(HealthCheckService health, HttpContext context)
        {
                var report = await health.CheckHealthAsync(context.RequestAborted);
                await WriteAsync(context, report, new
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
                });
        }
        foreach (var path in new[] { "/health/detailed", "/healthz/detailed" })
        {
            endpoints.MapGet(path, Detailed).WithTags("Operations")
                .WithSummary(path == "/health/detailed" ? "Each dependency with its status and response time, and the active silos." : "Alias of /health/detailed.")
                .Produces(StatusCodes.Status200OK, contentType: "application/json")
                .Produces(StatusCodes.Status503ServiceUnavailable, contentType: "application/json");
        }

        // Cluster-wide job health: every API and silo answers it (the seeds' runbook asks a worker).
        endpoints.MapGet("/healthz/jobs", async (NpgsqlDataSource db, Microsoft.Extensions.Options.IOptions<Jobs.JobOptions> jobs) =>
                Results.Json(await JobsHealth.ReadAsync(db, jobs.Value.StuckAfter), HealthJson))
            .WithTags("Operations").WithSummary("Job queue health: queued, processing, stuck, failed in 24 h, age of the oldest queued job.")
            .Produces<JobsHealth>(StatusCodes.Status200OK);

        return endpoints;
    }

    /// <summary>
    /// Every route nobody mapped answers the project's problem details (<c>not_found</c>), never an
    /// empty body. The API has its own (status code pages through its problem details service); the
    /// silos, which have no API pipeline, use this.
    /// </summary>
    public static IEndpointRouteBuilder MapActorsNotFound(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapFallback(context =>
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            context.Response.ContentType = "application/problem+json";
            return context.Response.WriteAsync(JsonSerializer.Serialize(new
            {
                type = "https://actors.dev/problems/not_found",
                title = "Not found",
                status = 404,
                detail = "No such route on this silo; see /health, /healthz/jobs and /metrics.",
            }, Json));
        }).ExcludeFromDescription();
        return endpoints;
    }

    /// <summary>Prometheus text exposition of the default registry, as an ordinary documented endpoint.</summary>
    public static IEndpointRouteBuilder MapActorsMetrics(this IEndpointRouteBuilder endpoints)
    {
        // Two parameters, so this binds as a documented handler rather than a bare RequestDelegate.
        endpoints.MapGet("/metrics", async (HttpContext context, CancellationToken cancellationToken) =>
            {
                context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
                context.Response.Headers.CacheControl = "no-store";
                await Prometheus.Metrics.DefaultRegistry.CollectAndExportAsTextAsync(context.Response.Body, cancellationToken);
            })
            .WithTags("Operations").WithSummary("Prometheus metrics (text format 0.0.4).")
            .Produces(StatusCodes.Status200OK, contentType: "text/plain");
        return endpoints;
    }

    private static Task WriteAsync(HttpContext context, HealthReport report, object body)
    {
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        if (report.Status == HealthStatus.Unhealthy)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
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
