using Actors.WebApi.Schedules;
using Actors.Contracts;
using Actors.Infrastructure;
using Actors.Infrastructure.Database;
using Actors.Infrastructure.Health;
using Actors.Infrastructure.Logging;
using Actors.Infrastructure.Observability;
using Actors.Infrastructure.Options;
using Actors.Contracts.Candidates;
using Actors.WebApi.Auth;
using Actors.WebApi.Infrastructure;
using Actors.WebApi.Candidates;
using Actors.WebApi.Jobs;
using Actors.WebApi.ReviewConsole;
using Actors.WebApi.Tenants;
using Actors.WebApi.Users;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Orleans.Dashboard;
using Scalar.AspNetCore;

namespace Actors.WebApi;

public class Program
{
    public static async Task Main(string[] args)
    {
        var arenas = MallocArenas.Limit();
        var app = Build(args);
        app.Logger.Log(arenas.Level, "glibc malloc arenas: {MallocArenas}", arenas.Text);
        await app.RunAsync();
    }

    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddActorsLogging();
        var connectionString = builder.Configuration.GetActorsConnectionString();
        // The cluster's wiring needs these before the container is built: read now, with the start-time check.
        var settings = builder.AddOptionsReadNow<ClusterSettings>(ClusterSettings.Section, s => s.Refusal());

        if (string.IsNullOrEmpty(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls("http://127.0.0.1:8080");
        }
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = 1024 * 1024);

        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            ActorsJson.Configure(o.SerializerOptions);
            // A client can never set a field the API does not take (status, version, tenant, ...).
            o.SerializerOptions.UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow;
        });
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = c =>
        {
            c.ProblemDetails.Extensions["request_id"] = c.HttpContext.TraceIdentifier;
        });
        builder.Services.AddExceptionHandler<ProblemDetailsMapping>();
        // Binding failures reach ProblemDetailsMapping, which names the offending field in the errors map.
        builder.Services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.AddOpenApi(o =>
        {
            o.AddDocumentTransformer<DashboardDocument>();
            o.AddDocumentTransformer<ApiConventionsDocument>();
            o.AddOperationTransformer<ApiConventionsDocument>();
            o.AddSchemaTransformer<RequestSchemas>();
        });
        builder.Services.AddActorsDatabase(connectionString);
        builder.Services.AddActorsMetrics("api", settings.ClusterId);
        builder.Services.AddActorsHealthChecks()
            .AddCheck<ClusterHealthCheck>("cluster", HealthStatus.Unhealthy, [HealthEndpoints.ReadyTag]);
        builder.AddActorsClusterClient(connectionString, settings);
        builder.AddActorsAuth();
        builder.AddActorsConsole();
        builder.Services.AddHostedService<JobMetricsCollector>();
        builder.Services.AddSingleton<JobTypeCatalog>();
        // The application services: each capability's use cases and read side, for the routes and the console.
        builder.Services.AddSingleton<CandidateService>();
        builder.Services.AddSingleton<CandidateImportService>();
        builder.Services.AddSingleton<JobService>();
        builder.Services.AddSingleton<ScheduleService>();
        builder.Services.AddSingleton<TenantService>();
        builder.Services.AddSingleton<SignInService>();
        builder.Services.AddSingleton<UserService>();
        builder.Services.AddOptions<ImportOptions>().BindConfiguration(ImportOptions.Section).ValidateWith(o => o.Refusal());
        builder.Services.AddOptions<Actors.Infrastructure.Jobs.JobOptions>().BindConfiguration(Actors.Infrastructure.Jobs.JobOptions.Section)
            .ValidateWith(o => o.Refusal());
        builder.Services.AddOptions<OutboundOptions>().BindConfiguration(OutboundOptions.Section).ValidateWith(o => o.Refusal());

        var app = builder.Build();
        app.UseMiddleware<RequestTelemetry>();
        app.UseActorsHttpMetrics();
        app.Use(SafeRetryFilter.MarkRequestStart);
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseActorsAuth();

        app.MapActorsHealth("actors-api");
        app.MapActorsMetrics();
        // The HTTP floor for the benchmark (reference B): no authentication, database or grain.
        app.MapGet("/ping", () => TypedResults.Ok(new Ping("ok"))).WithName("Ping").WithTags("Operations")
            .WithSummary("Answers {\"status\":\"ok\"} without touching the database or the cluster.");
        app.MapOpenApi("/openapi/{documentName}.json");
        // Served from this host alone: no fonts from outside, no proxy, no outside-service buttons or telemetry.
        app.MapScalarApiReference("/docs", o =>
        {
            o.WithOpenApiRoutePattern("/openapi/{documentName}.json").WithTitle("Actors API")
                .DisableDefaultFonts().HideClientButton().DisableTelemetry().DisableAgent().DisableMcp().HideDeveloperTools();
            o.ProxyUrl = null;
        });
        // The dashboard's own JSON routes are internal to its UI; DashboardDocument documents the page.
        app.MapOrleansDashboard(routePrefix: "/dashboard").RequireAuthorization(Policies.Operator).ExcludeFromDescription();
        app.MapAuthApi();
        app.MapTenantsApi();
        app.MapUsersApi();
        app.MapJobsApi();
        app.MapJobsBatchApi();
        app.MapSchedulesApi();
        app.MapCandidatesApi();
        app.MapCandidateImportsApi();
        app.MapActorsConsole();
        return app;
    }
}

/// <summary>The answer of <c>GET /ping</c>.</summary>
public sealed record Ping(string Status);
