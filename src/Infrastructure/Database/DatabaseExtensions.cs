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
        services.TryAddSingleton(_ =>
        {
            var builder = new NpgsqlDataSourceBuilder(connectionString) { Name = "actors" };
            // The storage's and the lists' statements are few and repeated: prepared once per
            // connection, PostgreSQL plans them once instead of parsing every call.
            if (builder.ConnectionStringBuilder.MaxAutoPrepare == 0)
            {
                builder.ConnectionStringBuilder.MaxAutoPrepare = 64;
                builder.ConnectionStringBuilder.AutoPrepareMinUsages = 2;
            }
            return builder.Build();
        });
        return services;
    }
}
