using Actors.Infrastructure.Database;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Actors.Tests.Infrastructure;

/// <summary>
/// A fresh, migrated database on the test server named by <c>ACTORS_TEST_PG</c> (the README's test
/// command starts a throwaway PostgreSQL and sets it). Dropped on dispose.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly string _serverConnectionString;

    private TestDatabase(string serverConnectionString, string name)
    {
        _serverConnectionString = serverConnectionString;
        Name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(serverConnectionString) { Database = name }.ConnectionString;
    }

    public string Name { get; }
    public string ConnectionString { get; }

    public static string ServerConnectionString =>
        Environment.GetEnvironmentVariable("ACTORS_TEST_PG") is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                "ACTORS_TEST_PG is not set. Run the tests with scripts/test.sh, which starts a throwaway PostgreSQL.");

    public static async Task<TestDatabase> CreateAsync(bool migrate = true)
    {
        var name = "actors_t_" + Guid.NewGuid().ToString("N")[..12];
        var database = new TestDatabase(ServerConnectionString, name);
        await MigrationRunner.EnsureDatabaseAsync(database.ConnectionString);
        if (migrate)
        {
            await new MigrationRunner(database.ConnectionString, NullLogger<MigrationRunner>.Instance).MigrateAsync();
        }
        return database;
    }

    public async Task<T?> ScalarAsync<T>(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        var result = await command.ExecuteScalarAsync();
        return result is null or DBNull ? default : (T)Convert.ChangeType(result, Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_serverConnectionString);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }
}
