using System.Diagnostics;
using Npgsql;

namespace Actors.Bench;

/// <summary>
/// Reference C: what the seed's service does for a change, directly with Npgsql: read the row's
/// version, <c>UPDATE ... WHERE id = @id AND version = @version</c>, and when no row matched
/// ("modified by another process, please retry") read again and retry. It runs on
/// <c>bench_candidates</c>, a copy of the <c>candidates</c> table's shape and indexes
/// (<c>LIKE candidates INCLUDING ALL</c>), so the grain path's projection and this baseline
/// maintain the same indexes.
/// </summary>
public sealed class OptimisticBaseline(NpgsqlDataSource db)
{
    public sealed record HotKeyResult(RunResult Run, long Attempts, long ConflictCount, long Retries)
    {
        /// <summary>Failed attempts over all attempts: work the database did for nothing.</summary>
        public double Wasted => Attempts == 0 ? 0 : (double)ConflictCount / Attempts;
    }

    public async Task<Guid> PrepareAsync()
    {
        await using (var create = db.CreateCommand("CREATE TABLE IF NOT EXISTS bench_candidates (LIKE candidates INCLUDING ALL)"))
        {
            await create.ExecuteNonQueryAsync();
        }
        var id = Guid.CreateVersion7();
        await using var insert = db.CreateCommand(
            "INSERT INTO bench_candidates (id, tenant_id, company_name, contact_email, products, status, provisioning, version, created_at, updated_at, request_hash) " +
            "VALUES (@id, 'bench', 'Hot Co', 'hot@bench.example', '{}', 'pending', 'not_started', 1, now(), now(), '')");
        insert.Parameters.AddWithValue("id", id);
        await insert.ExecuteNonQueryAsync();
        return id;
    }

    /// <summary><paramref name="clients"/> clients each change the one row as fast as they can, retrying conflicts at once.</summary>
    public async Task<HotKeyResult> HotKeyAsync(Guid id, int clients, Timing timing)
    {
        long attempts = 0, conflicts = 0, retries = 0;
        var windowStartTicks = Stopwatch.GetTimestamp() + (long)(timing.WarmUp.TotalSeconds * Stopwatch.Frequency);
        var run = await LoadRunner.ClosedAsync(clients, timing, async (sequence, cancellationToken) =>
        {
            for (var attempt = 0; ; attempt++)
            {
                var counted = Stopwatch.GetTimestamp() >= windowStartTicks;
                if (counted)
                {
                    Interlocked.Increment(ref attempts);
                    if (attempt > 0) Interlocked.Increment(ref retries);
                }
                await using var connection = await db.OpenConnectionAsync(cancellationToken);
                long version;
                await using (var read = new NpgsqlCommand("SELECT version FROM bench_candidates WHERE id = @id", connection))
                {
                    read.Parameters.AddWithValue("id", id);
                    version = (long)(await read.ExecuteScalarAsync(cancellationToken) ?? throw new InvalidOperationException("row missing"));
                }
                await using var update = new NpgsqlCommand(
                    "UPDATE bench_candidates SET company_name = @name, version = version + 1, updated_at = now() " +
                    "WHERE id = @id AND version = @version", connection);
                update.Parameters.AddWithValue("name", "Hot Co " + sequence);
                update.Parameters.AddWithValue("id", id);
                update.Parameters.AddWithValue("version", version);
                if (await update.ExecuteNonQueryAsync(cancellationToken) == 1)
                {
                    return Outcome.Ok;
                }
                if (counted) Interlocked.Increment(ref conflicts);
            }
        });
        return new HotKeyResult(run, attempts, conflicts, retries);
    }
}
