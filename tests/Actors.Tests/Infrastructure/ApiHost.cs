using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Actors.Tests.Infrastructure;

/// <summary>
/// The real WebApi on Kestrel, on a free loopback port, as an Orleans client of the cluster named by
/// <paramref name="clusterId"/>, finding gateways through <paramref name="connectionString"/>.
/// </summary>
public sealed class ApiHost(string connectionString, string clusterId, IReadOnlyDictionary<string, string?>? settings = null)
    : WebApplicationFactory<Actors.WebApi.Program>
{
    public int Port { get; } = FreePort();

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("ConnectionStrings:Actors", connectionString);
        builder.UseSetting("Orleans:ClusterId", clusterId);
        builder.UseSetting("Orleans:ServiceId", clusterId);
        builder.UseSetting("Orleans:ResponseTimeoutSeconds", "5");
        builder.UseSetting("LOG_LEVEL", "Warning");
        builder.UseSetting("Auth:SigningKeys:0", TestAuth.SigningKey);
        builder.UseSetting("Bootstrap:OperatorEmail", TestAuth.OperatorEmail);
        builder.UseSetting("Bootstrap:OperatorPassword", TestAuth.OperatorPassword);
        // Tests run their billing and SMTP stubs on 127.0.0.1 (the silos allow it too, see ActorsCluster).
        builder.UseSetting("Outbound:AllowLoopback", "true");
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            builder.UseSetting(key, value);
        }
        builder.UseEnvironment("Testing");
    }

    /// <summary>Starts Kestrel and returns a client for real HTTP on loopback.</summary>
    public HttpClient StartHttp()
    {
        UseKestrel(Port);
        StartServer();
        return new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
