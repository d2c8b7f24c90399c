using Npgsql;

namespace Actors.Infrastructure.Database;

/// <summary>
/// Reads the <c>counters</c> table (sql/0010_typed_state.sql): per tenant, kind and key, striped, kept
/// by the grain storage in the same statement as each write it counts. A read sums at most
/// 16 rows per key, whatever the tenant holds.
/// </summary>
public static class Counters
{
    /// <summary>Counts by key of one kind; <paramref name="tenant"/> null sums every tenant.</summary>
    public static async Task<Dictionary<string, long>> ReadAsync(this NpgsqlDataSource db, string? tenant, string kind,
        CancellationToken cancellationToken = default)
    {
        await using var command = db.CreateCommand(tenant is null
            ? "SELECT key, sum(n)::bigint FROM counters WHERE kind = $1 GROUP BY key"
            : "SELECT key, sum(n)::bigint FROM counters WHERE tenant_id = $2 AND kind = $1 GROUP BY key");
        command.Parameters.Add(new NpgsqlParameter { Value = kind });
        if (tenant is not null)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = tenant });
        }
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            counts[reader.GetString(0)] = reader.GetInt64(1);
        }
        return counts;
    }

    /// <summary>The sum of some keys of one kind (all keys when none is named); <paramref name="tenant"/> null sums every tenant.</summary>
    public static async Task<long> SumAsync(this NpgsqlDataSource db, string? tenant, string kind, params string[] keys)
    {
        await using var batch = db.CreateBatch();
        batch.BatchCommands.Add(SumCommand(tenant, kind, keys));
        return (long)(await batch.ExecuteScalarAsync())!;
    }

    /// <summary>The statement of <see cref="SumAsync"/>, for a batch that reads it with other statements (a list and its total).</summary>
    public static NpgsqlBatchCommand SumCommand(string? tenant, string kind, string[] keys)
    {
        var command = new NpgsqlBatchCommand(
            "SELECT coalesce(sum(n), 0)::bigint FROM counters WHERE kind = $1" +
            (tenant is null ? "" : " AND tenant_id = $2") + (keys.Length == 0 ? "" : $" AND key = ANY(${(tenant is null ? 2 : 3)})"));
        command.Parameters.Add(new NpgsqlParameter { Value = kind });
        if (tenant is not null)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = tenant });
        }
        if (keys.Length > 0)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = keys });
        }
        return command;
    }
}
