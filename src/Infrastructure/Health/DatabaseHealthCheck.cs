using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace Actors.Infrastructure.Health;

/// <summary>Healthy when PostgreSQL answers <c>SELECT 1</c> within the timeout.</summary>
public sealed class DatabaseHealthCheck(NpgsqlDataSource dataSource) : IHealthCheck
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(timeout.Token);
            await using var command = new NpgsqlCommand("SELECT 1", connection) { CommandTimeout = 2 };
            await command.ExecuteScalarAsync(timeout.Token);
            return HealthCheckResult.Healthy("connected");
        }
        catch (Exception ex) when (ex is NpgsqlException or OperationCanceledException or TimeoutException or System.Net.Sockets.SocketException)
        {
            return HealthCheckResult.Unhealthy("unreachable", data: new Dictionary<string, object> { ["error"] = ex.GetType().Name });
        }
    }
}
