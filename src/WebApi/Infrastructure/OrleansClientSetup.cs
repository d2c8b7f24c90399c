using Actors.Infrastructure;
using Orleans.Configuration;
using Orleans.Dashboard;

namespace Actors.WebApi.Infrastructure;

public static partial class OrleansClientSetup
{
    /// <summary>
    /// The API is an Orleans client that finds gateways in the membership table. It never refuses to
    /// start because the cluster is down: it keeps retrying the connection while /livez answers and
    /// /readyz and every grain-backed route say 503.
    /// </summary>
    public static WebApplicationBuilder AddActorsClusterClient(this WebApplicationBuilder builder, string connectionString, ClusterSettings settings)
    {
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(15));
        var before = builder.Services.Where(d => d.ServiceType == typeof(IHostedService)).ToList();
        builder.UseOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = settings.ClusterId;
                o.ServiceId = settings.ServiceId;
            });
            client.UseAdoNetClustering(o =>
            {
                o.Invariant = "Npgsql";
                o.ConnectionString = connectionString;
            });
            client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(settings.ResponseTimeoutSeconds));
            client.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(5));
            // Storage failures arrive from the silos as Npgsql exceptions (mapped to 503).
            client.Configure<Orleans.Serialization.ExceptionSerializationOptions>(o => o.SupportedNamespacePrefixes.Add("Npgsql"));
            client.Services.AddSingleton<IOutgoingGrainCallFilter>(sp => new SafeRetryFilter(
                TimeSpan.FromSeconds(2 * settings.ResponseTimeoutSeconds), sp.GetRequiredService<ILogger<SafeRetryFilter>>()));
            client.UseConnectionRetryFilter(async (exception, cancellationToken) =>
            {
                await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
                return !cancellationToken.IsCancellationRequested;
            });
            client.AddDashboard();
        });

        // The client's hosted service blocks host start-up until a gateway answers. Kestrel must
        // listen meanwhile (/livez, and 503s instead of connection refused), so the client's own
        // hosted services are started in the background by one wrapper.
        var added = builder.Services.Where(d => d.ServiceType == typeof(IHostedService) && !before.Contains(d)).ToList();
        foreach (var descriptor in added)
        {
            builder.Services.Remove(descriptor);
        }
        builder.Services.AddSingleton<IHostedService>(sp => new BackgroundClientStarter(
            added.Select(d => (IHostedService)(d.ImplementationInstance
                ?? d.ImplementationFactory?.Invoke(sp)
                ?? ActivatorUtilities.CreateInstance(sp, d.ImplementationType!))).ToList(),
            sp.GetRequiredService<ILogger<BackgroundClientStarter>>()));
        return builder;
    }
}

/// <summary>Starts the Orleans client's hosted services without holding up the host.</summary>
public sealed partial class BackgroundClientStarter(IReadOnlyList<IHostedService> inner, ILogger<BackgroundClientStarter> logger) : IHostedService
{
    private readonly CancellationTokenSource _stopping = new();
    private Task _starting = Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _starting = Task.Run(async () =>
        {
            foreach (var service in inner)
            {
                await service.StartAsync(_stopping.Token);
            }
            LogConnected(logger);
        });
        return Task.CompletedTask;
    }

    private int _stopped;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // A host may be stopped twice (a test host's dispose stops it again): the second stop has nothing to do.
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }
        await _stopping.CancelAsync();
        try
        {
            await _starting.WaitAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is OperationCanceledException or OrleansException or TimeoutException or ObjectDisposedException)
        {
            // The client never connected (or the host is being torn down under its start); nothing to close gracefully.
        }
        foreach (var service in inner.Reverse())
        {
            try
            {
                await service.StopAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is OperationCanceledException or OrleansException or ObjectDisposedException)
            {
                LogStopFailed(logger, ex.Message);
            }
        }
        _stopping.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Orleans client connected to the cluster")]
    private static partial void LogConnected(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Orleans client did not stop cleanly: {Reason}")]
    private static partial void LogStopFailed(ILogger logger, string reason);
}
