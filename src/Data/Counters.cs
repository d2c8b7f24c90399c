using Npgsql;
using NpgsqlTypes;

namespace Actors.Data;

/// <summary>
/// The <c>counters</c> table (sql/0010_typed_state.sql): per tenant, kind and key, striped, kept in the
/// same statement as each write it counts (the grain storage's, and the few bulk statements that write
/// domain rows in SQL: a batch of jobs, a CSV import, retention). A read sums at most
/// <see cref="Stripes"/> rows per key, whatever the tenant holds.
/// </summary>
public static class Counters
{
    /// <summary>Counter stripes per (tenant, kind, key): writers of one tenant rarely wait for the same row.</summary>
    public const int Stripes = 16;

    /// <summary>
    /// The data-modifying CTE <c>counted</c> that adds the deltas <paramref name="deltas"/> selects, as rows
    /// of (tenant_id, kind, key, stripe, n), to the counters. Deltas that touch several rows are ordered
    /// by the caller (tenant, kind, key) so that two writers take the rows' locks in the same order.
    /// </summary>
    public static string AddCte(string deltas) => $"""
        counted AS (
            INSERT INTO counters AS k (tenant_id, kind, key, stripe, n)
            {deltas}
            ON CONFLICT (tenant_id, kind, key, stripe) DO UPDATE SET n = k.n + EXCLUDED.n)
        """;

    /// <summary>The stripe parameter of a writer that is not a group-commit lane (which has its own): any stripe.</summary>
    public static NpgsqlParameter StripeParameter() =>
        new() { NpgsqlDbType = NpgsqlDbType.Smallint, Value = AnyStripe() };

    /// <summary>A stripe picked at random.</summary>
    public static short AnyStripe() => (short)Random.Shared.Next(Stripes);

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
