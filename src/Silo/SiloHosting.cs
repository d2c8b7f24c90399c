using System.Net;
using Actors.Contracts;
using Actors.Contracts.Candidates;
using Actors.Grains.Candidates;
using Actors.Contracts.Jobs;
using Actors.Grains.Jobs;
using Actors.Grains.Schedules;
using Actors.Grains.Storage;
using Actors.Infrastructure;
using Actors.Infrastructure.Database;
using Actors.Infrastructure.Jobs;
using Actors.Infrastructure.Options;
using Microsoft.Extensions.Http.Resilience;
using Orleans.Configuration;
using Orleans.Dashboard;
using Orleans.Serialization;
using Polly;

namespace Actors.Silo;

/// <summary>The silo's wiring, one extension per concern, as Orleans' own <c>Add*</c>/<c>Use*</c> methods read.</summary>
public static class SiloHosting
{
    /// <summary>The ADO.NET invariant name the Orleans providers use to load Npgsql.</summary>
    public const string Invariant = "Npgsql";

    /// <summary>
    /// Everything a silo of Actors runs, on PostgreSQL. Shared by the silo host and the test cluster, so
    /// tests run the same wiring as production.
    /// </summary>
    public static ISiloBuilder AddActorsSiloServices(this ISiloBuilder silo, string connectionString)
    {
        silo.Services.AddSingleton(TimeProvider.System);
        silo.Services.AddActorsDatabase(connectionString);
        silo.AddActorsPersistence(connectionString)
            .AddActorsJobs()
            .AddActorsBillingClient();
        silo.AddDashboard();
        silo.AddIncomingGrainCallFilter<RequestIdCallFilter>();
        return silo;
    }

    /// <summary>
    /// Clustering, reminders and grain state in PostgreSQL: the domain grains in their typed tables
    /// (sql/0010_typed_state.sql), the only grain storage (no grain keeps state elsewhere); storage failures
    /// cross the wire as Npgsql exceptions.
    /// </summary>
    public static ISiloBuilder AddActorsPersistence(this ISiloBuilder silo, string connectionString)
    {
        silo.UseAdoNetClustering(o =>
        {
            o.Invariant = Invariant;
            o.ConnectionString = connectionString;
        });
        // Candidates, jobs, schedules, tenants and users: one typed row each (sql/0010_typed_state.sql).
        silo.AddDomainStorage();
        silo.UseAdoNetReminderService(o =>
        {
            o.Invariant = Invariant;
            o.ConnectionString = connectionString;
        });
        // Each silo re-reads its range of the reminders table this often (Orleans' default: 5 min). When
        // silos die one after another a range hand-over can miss a reminder until the next refresh:
        // a schedule's tick or the job sweep would then wait 5 minutes; one is enough.
        silo.Services.Configure<ReminderOptions>(o => o.RefreshReminderListPeriod = TimeSpan.FromMinutes(1));
        // A storage failure reaches the caller with its Npgsql exception inside (the API answers 503);
        // without this Orleans cannot serialize it and the caller gets a CodecNotFoundException (500).
        silo.Services.Configure<ExceptionSerializationOptions>(o => o.SupportedNamespacePrefixes.Add("Npgsql"));
        return silo;
    }

    /// <summary>
    /// The job engine: its settings (checked at start), every job handler of the Grains assembly, and the
    /// two system reminders (retention, the job sweep) registered at each silo start.
    /// </summary>
    public static ISiloBuilder AddActorsJobs(this ISiloBuilder silo)
    {
        silo.Services.AddOptions<JobOptions>().BindConfiguration(JobOptions.Section).ValidateWith(o => o.Refusal());
        silo.Services.AddOptions<ScheduleOptions>().BindConfiguration(ScheduleOptions.Section).ValidateWith(o => o.Refusal());
        silo.Services.AddOptions<ImportOptions>().BindConfiguration(ImportOptions.Section).ValidateWith(o => o.Refusal());
        silo.Services.AddJobHandlers(typeof(IJobHandler).Assembly);
        silo.AddStartupTask((services, _) =>
            services.GetRequiredService<IGrainFactory>().GetGrain<IRetentionGrain>(RetentionGrain.Key).EnsureScheduledAsync());
        silo.AddStartupTask((services, _) =>
            services.GetRequiredService<IGrainFactory>().GetGrain<IJobSweeperGrain>(JobSweeperGrain.Key).EnsureScheduledAsync());
        return silo;
    }

    /// <summary>
    /// The HTTP client of billing.provision: it connects only to addresses the outbound policy allows
    /// (checked as resolved, at connect time), with retries, a circuit per billing host and a timeout.
    /// </summary>
    public static ISiloBuilder AddActorsBillingClient(this ISiloBuilder silo)
    {
        silo.Services.AddOptions<OutboundOptions>().BindConfiguration(OutboundOptions.Section).ValidateWith(o => o.Refusal());
        silo.Services.AddHttpClient(BillingProvisionHandler.ClientName, c => c.Timeout = TimeSpan.FromSeconds(30))
            // Connects only to addresses the outbound policy allows, checked as resolved at connect time.
            .ConfigurePrimaryHttpMessageHandler(services => new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                ConnectCallback = async (context, cancellationToken) =>
                {
                    var options = services.GetRequiredService<Microsoft.Extensions.Options.IOptions<OutboundOptions>>().Value;
                    var socket = await OutboundPolicy.ConnectAsync(context.DnsEndPoint.Host, context.DnsEndPoint.Port, options, cancellationToken);
                    return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
                },
            })
            .AddResilienceHandler("billing", pipeline =>
            {
                pipeline.AddRetry(new HttpRetryStrategyOptions
                {
                    MaxRetryAttempts = 3,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    Delay = TimeSpan.FromMilliseconds(200),
                });
                pipeline.AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
                {
                    FailureRatio = 0.9,
                    MinimumThroughput = 10,
                    SamplingDuration = TimeSpan.FromSeconds(30),
                    BreakDuration = TimeSpan.FromSeconds(15),
                });
                pipeline.AddTimeout(TimeSpan.FromSeconds(10));
            })
            // One pipeline (and circuit) per billing host: one tenant's broken service never opens another's.
            .SelectPipelineByAuthority();
        return silo;
    }

    /// <summary>Cluster identity, endpoints and timeouts from <see cref="ClusterSettings"/>.</summary>
    public static ISiloBuilder UseActorsCluster(this ISiloBuilder silo, ClusterSettings settings)
    {
        silo.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = settings.ClusterId;
            o.ServiceId = settings.ServiceId;
        });
        silo.ConfigureEndpoints(IPAddress.Parse(settings.AdvertisedAddress), settings.SiloPort, settings.GatewayPort,
            listenOnAnyHostAddress: false);
        silo.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(Math.Max(settings.ResponseTimeoutSeconds, 30)));
        // Idle activations are collected after CollectionAgeSeconds; the collector runs every quantum, which
        // must stay below the age (Orleans' quantum is 1 minute).
        silo.Configure<GrainCollectionOptions>(o =>
        {
            o.CollectionAge = TimeSpan.FromSeconds(settings.CollectionAgeSeconds);
            o.CollectionQuantum = TimeSpan.FromSeconds(Math.Min(60, settings.CollectionAgeSeconds / 2));
        });
        // The grain directory cache is bounded to DirectoryCacheSize entries (Orleans' 1,000,000 grows for hours).
        silo.Configure<GrainDirectoryOptions>(o => o.CacheSize = settings.DirectoryCacheSize);
        // How soon a silo that stopped answering its peers is declared dead (see ClusterSettings.ProbeTimeoutSeconds).
        silo.Configure<ClusterMembershipOptions>(o =>
        {
            o.ProbeTimeout = TimeSpan.FromSeconds(settings.ProbeTimeoutSeconds);
            o.NumMissedProbesLimit = settings.NumMissedProbesLimit;
        });
        return silo;
    }
}
