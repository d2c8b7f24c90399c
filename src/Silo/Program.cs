using Actors.Data.Tenants;
using Actors.Infrastructure;
using Actors.Infrastructure.Database;
using Actors.Infrastructure.Health;
using Actors.Infrastructure.Logging;
using Actors.Infrastructure.Observability;
using Actors.Infrastructure.Options;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Actors.Silo;

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var arenas = MallocArenas.Limit();
        var hostArgs = args.Where(a => a is not ("migrate" or "rotate-keys")).ToArray();
        var builder = WebApplication.CreateBuilder(hostArgs);
        builder.AddActorsLogging();
        var connectionString = builder.Configuration.GetActorsConnectionString();

        if (args.Contains("migrate") || builder.Configuration.GetValue("Database:MigrateOnStart", false))
        {
            using var loggers = LoggerFactory.Create(l => l.AddConfiguration(builder.Configuration.GetSection("Logging")).AddActorsJsonLogging());
            var runner = new MigrationRunner(connectionString, loggers.CreateLogger<MigrationRunner>());
            if (builder.Configuration.GetValue("Database:CreateIfMissing", false))
            {
                await MigrationRunner.EnsureDatabaseAsync(connectionString);
            }
            var applied = await runner.MigrateAsync();
            loggers.CreateLogger("Actors.Silo").LogInformation("Schema is current ({Applied} migrations applied now)", applied.Count);
            if (args.Contains("migrate"))
            {
                return 0;
            }
        }

        if (args.Contains("rotate-keys"))
        {
            // The runbook's key rotation: a new Data Protection key, every secret re-encrypted with it.
            var rotation = Host.CreateApplicationBuilder(hostArgs);
            rotation.AddActorsLogging();
            rotation.Services.AddActorsDatabase(connectionString);
            rotation.Services.AddActorsSecrets();
            using var host = rotation.Build();
            var (keyId, count) = await SecretsExtensions.RotateAsync(host.Services);
            Console.WriteLine($"rotated: new key {keyId}, {count} secrets re-encrypted");
            return 0;
        }

        // The cluster's wiring needs these before the container is built: read now, with the start-time check.
        var settings = builder.AddOptionsReadNow<ClusterSettings>(ClusterSettings.Section, s => s.Refusal());

        if (string.IsNullOrEmpty(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls("http://127.0.0.1:8081");
        }
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
        builder.Services.AddActorsDatabase(connectionString);
        builder.Services.AddActorsMetrics("silo", settings.ClusterId);
        builder.Services.AddActorsHealthChecks()
            .AddCheck<SiloHealthCheck>("cluster", HealthStatus.Unhealthy, [HealthEndpoints.ReadyTag]);

        builder.UseOrleans(silo => silo.AddActorsSiloServices(connectionString).UseActorsCluster(settings));

        var app = builder.Build();
        app.Logger.Log(arenas.Level, "glibc malloc arenas: {MallocArenas}", arenas.Text);
        app.UseActorsHttpMetrics();
        app.MapActorsHealth("actors-silo");
        app.MapActorsMetrics();
        app.MapActorsNotFound();
        await app.RunAsync();
        return 0;
    }
}
