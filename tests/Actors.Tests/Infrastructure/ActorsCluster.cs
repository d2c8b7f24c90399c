using Actors.Silo;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace Actors.Tests.Infrastructure;

/// <summary>
/// A multi-silo test cluster on the real ADO.NET clustering, storage and reminders in PostgreSQL,
/// wired by the same <see cref="SiloHosting.AddActorsSiloServices"/> as the silo host. Ports are
/// allocated free by the testing host; the ClusterId is unique per cluster.
/// </summary>
public static class ActorsCluster
{
    /// <param name="database">The database of the cluster's membership, reminders and state.</param>
    /// <param name="silos">How many silos to start.</param>
    /// <param name="settings">Extra configuration of every silo (e.g. <c>Imports:BatchRows</c>).</param>
    public static async Task<TestCluster> StartAsync(TestDatabase database, short silos = 2, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var builder = new TestClusterBuilder(silos);
        var id = "t" + Guid.NewGuid().ToString("N")[..10];
        builder.Options.ClusterId = id;
        builder.Options.ServiceId = id;
        builder.Options.UseTestClusterMembership = false;
        // The API host connects over real TCP, so the silos must listen on real sockets (the
        // testing host defaults to an in-memory transport).
        builder.Options.ConnectionTransport = ConnectionTransportType.TcpSocket;
        var configuration = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>())
        {
            ["ConnectionStrings:Actors"] = database.ConnectionString,
        };
        builder.ConfigureHostConfiguration(c => c.AddInMemoryCollection(configuration));
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        builder.AddClientBuilderConfigurator<ClientConfigurator>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            var connectionString = siloBuilder.Configuration.GetConnectionString("Actors")!;
            siloBuilder.AddActorsSiloServices(connectionString);
            // A job type of the tests' own, registered as any other handler is (JobRegistryTests).
            Actors.Grains.Jobs.JobHandlerRegistry.AddJobHandler<Actors.Tests.Jobs.RegistryProbeHandler>(siloBuilder.Services);
            // Job engine timings scaled down so recovery is observable within a test.
            siloBuilder.Services.PostConfigure<Actors.Infrastructure.Jobs.JobOptions>(o =>
            {
                o.HeartbeatInterval = TimeSpan.FromMilliseconds(500);
                o.StuckAfter = TimeSpan.FromSeconds(3);
                o.WatchdogPeriod = TimeSpan.FromSeconds(2);
                o.RetryBaseDelay = TimeSpan.FromMilliseconds(200);
                o.MaxRetryDelay = TimeSpan.FromSeconds(1);
            });
            // The billing and SMTP stubs listen on 127.0.0.1 (the API allows it too, see ApiHost).
            siloBuilder.Services.PostConfigure<Actors.Contracts.OutboundOptions>(o => o.AllowLoopback = true);
            siloBuilder.Services.PostConfigure<Orleans.Hosting.ReminderOptions>(o => o.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
            siloBuilder.Configure<Orleans.Configuration.ClusterMembershipOptions>(o =>
            {
                // Faster failure detection than production so kill tests settle quickly.
                o.ProbeTimeout = TimeSpan.FromSeconds(2);
                o.NumMissedProbesLimit = 2;
                o.TableRefreshTimeout = TimeSpan.FromSeconds(2);
                o.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(5);
            });
        }
    }

    private sealed class ClientConfigurator : IClientBuilderConfigurator
    {
        public void Configure(IConfiguration configuration, IClientBuilder clientBuilder)
        {
            clientBuilder.UseAdoNetClustering(o =>
            {
                o.Invariant = SiloHosting.Invariant;
                o.ConnectionString = configuration.GetConnectionString("Actors");
            });
        }
    }
}
