using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Actors.Infrastructure.Database;

/// <summary>
/// Applies the ordered SQL migrations embedded from <c>sql/</c>. Each file runs once, in its own
/// transaction, recorded in <c>schema_migrations</c> with a checksum. A session-level advisory lock
/// serialises concurrent runners, so several silos starting at once migrate exactly once.
/// </summary>
public sealed partial class MigrationRunner(string connectionString, ILogger<MigrationRunner> logger)
{
    // Arbitrary constant shared by every runner of this schema.
    private const long AdvisoryLockKey = 7_246_120_331_001;

    public static IReadOnlyList<Migration> EmbeddedMigrations()
    {
        var assembly = typeof(MigrationRunner).Assembly;
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith("sql.", StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(n => new Migration(n["sql.".Length..^".sql".Length], Read(assembly, n)))
            .ToList();
    }

    /// <summary>
    /// Applies pending migrations; returns the names applied by this call. <paramref name="upTo"/>
    /// stops after the migration of that name (the upgrade test builds a database of an older release).
    /// </summary>
    public async Task<IReadOnlyList<string>> MigrateAsync(CancellationToken cancellationToken = default, string? upTo = null)
    {
        var applied = new List<string>();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);

        await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_lock(@key)", connection))
        {
            lockCommand.Parameters.AddWithValue("key", AdvisoryLockKey);
            await lockCommand.ExecuteNonQueryAsync(cancellationToken);
        }

        try
        {
            await using (var create = new NpgsqlCommand(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    name       text        PRIMARY KEY,
                    checksum   text        NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """, connection))
            {
                await create.ExecuteNonQueryAsync(cancellationToken);
            }

            var done = new Dictionary<string, string>(StringComparer.Ordinal);
            await using (var read = new NpgsqlCommand("SELECT name, checksum FROM schema_migrations", connection))
            await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    done[reader.GetString(0)] = reader.GetString(1);
                }
            }

            foreach (var migration in EmbeddedMigrations())
            {
                if (upTo is not null && string.CompareOrdinal(migration.Name, upTo) > 0)
                {
                    break;
                }
                if (done.TryGetValue(migration.Name, out var checksum))
                {
                    if (checksum != migration.Checksum)
                    {
                        LogChecksumChanged(logger, migration.Name);
                    }
                    continue;
                }

                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                await using (var command = new NpgsqlCommand(migration.Sql, connection, transaction))
                {
                    command.CommandTimeout = 300;
                    await command.ExecuteNonQueryAsync(cancellationToken);
                }
                await using (var journal = new NpgsqlCommand(
                    "INSERT INTO schema_migrations (name, checksum) VALUES (@name, @checksum)", connection, transaction))
                {
                    journal.Parameters.AddWithValue("name", migration.Name);
                    journal.Parameters.AddWithValue("checksum", migration.Checksum);
                    await journal.ExecuteNonQueryAsync(cancellationToken);
                }
                await transaction.CommitAsync(cancellationToken);
                LogApplied(logger, migration.Name);
                applied.Add(migration.Name);
            }
        }
        finally
        {
            await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", connection);
            unlock.Parameters.AddWithValue("key", AdvisoryLockKey);
            await unlock.ExecuteNonQueryAsync(CancellationToken.None);
        }

        return applied;
    }

    /// <summary>Creates the database named in the connection string if it does not exist.</summary>
    public static async Task EnsureDatabaseAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var database = builder.Database ?? throw new InvalidOperationException("The connection string names no database.");
        builder.Database = "postgres";
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", connection);
        exists.Parameters.AddWithValue("name", database);
        if (await exists.ExecuteScalarAsync(cancellationToken) is null)
        {
            var quoted = "\"" + database.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
            await using var create = new NpgsqlCommand($"CREATE DATABASE {quoted}", connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private static string Read(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied migration {Migration}")]
    private static partial void LogApplied(ILogger logger, string migration);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Migration {Migration} changed after it was applied; applied migrations are never re-run")]
    private static partial void LogChecksumChanged(ILogger logger, string migration);
}

public sealed record Migration(string Name, string Sql)
{
    public string Checksum { get; } = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Sql)));
}
