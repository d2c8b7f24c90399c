using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;

namespace Actors.Infrastructure.Database;

public static class DatabaseExtensions
{
    public const string ConnectionStringName = "Actors";

    /// <summary>The PostgreSQL connection string: <c>ConnectionStrings:Actors</c> (env <c>ConnectionStrings__Actors</c>).</summary>
    public static string GetActorsConnectionString(this IConfiguration configuration) =>
        configuration.GetConnectionString(ConnectionStringName) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                "No database configured: set ConnectionStrings__Actors (for example 'Host=127.0.0.1;Port=55432;Database=actors;Username=actors;Password=...').");

    /// <summary>Registers one pooled <see cref="NpgsqlDataSource"/> for the process.</summary>
    public static IServiceCollection AddActorsDatabase(this IServiceCollection services, string connectionString)
    {
        services.TryAddSingleton(_ => new NpgsqlDataSourceBuilder(connectionString)
        {
            Name = "actors",
        }.Build());
        return services;
    }

    /// <summary>
    /// Rows of <paramref name="fromWhere"/> (a table and a condition on <c>@t</c>, the tenant), counted
    /// up to <paramref name="limit"/> only: the per-tenant caps need "is the cap reached", and this
    /// reads at most that many index entries.
    /// </summary>
    public static async Task<long> CountTenantRowsUpToAsync(this NpgsqlDataSource db, string fromWhere, string tenant, int limit,
        CancellationToken cancellationToken = default)
    {
        await using var command = db.CreateCommand($"SELECT count(*) FROM (SELECT 1 FROM {fromWhere} LIMIT @limit) x");
        command.Parameters.AddWithValue("t", tenant);
        command.Parameters.AddWithValue("limit", limit);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
