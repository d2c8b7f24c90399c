using System.Text.Json;
using Actors.Grains.Jobs;
using Actors.Grains.Tenants;
using Actors.Infrastructure.Database;
using Npgsql;
using NpgsqlTypes;

namespace Actors.Grains.Candidates;

/// <summary>
/// The job side of <c>POST /candidates/imports</c> (sql/0016_candidate_imports.sql): moves the staged
/// records of one import into <c>candidates</c>, a batch per statement. The statement deletes the
/// batch's staged rows, inserts their candidates (version 1, pending, with the "created" history entry
/// a create writes) and their counter deltas, and advances the checkpoint, so a run that dies resumes
/// where the last commit left it: no candidate twice, none missed. Records past the tenant's
/// <c>max_candidates</c> are refused with the rest of the refused records, reported by line at the end.
/// </summary>
public static class StagedImport
{
    public const int ReportedRows = 1000;

    private sealed record Import(string TenantId, int Rows, int NextSeq, string? Result);

    public static async Task<object?> RunAsync(NpgsqlDataSource db, ImportOptions options, Guid id, JobRun run, CancellationToken cancellationToken)
    {
        if (id != run.JobId)
        {
            throw new JobFailedException("invalid_upload", "An upload is imported by the job POST /candidates/imports created for it.", retryable: false);
        }
        var import = await ReadAsync(db, id, cancellationToken);
        if (import is null || import.TenantId != run.TenantId)
        {
            throw new JobFailedException("invalid_upload", "The upload was not found (removed by retention?).", retryable: false);
        }
        if (import.Result is not null)
        {
            return JsonDocument.Parse(import.Result).RootElement.Clone();
        }
        var limit = (await run.Grains.GetGrain<ITenantGrain>(GrainKeys.Tenant(run.TenantId)).GetAsync())?.Settings.MaxCandidates
            ?? TenantSettings.DefaultMaxCandidates;
        var refusedAtLimit = JsonSerializer.Serialize(new Dictionary<string, string[]>
        {
            ["row"] = [$"the tenant's limit of {limit} candidates is reached"],
        });
        var actor = "job:" + run.JobId;
        var next = import.NextSeq;
        run.ReportProgress(next - 1, import.Rows);
        while (next <= import.Rows)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var end = (int)Math.Min((long)next + options.BatchRows, import.Rows + 1L);
            var room = limit - await db.SumAsync(run.TenantId, "candidate.status");
            await MoveAsync(db, id, run.TenantId, next, end, room, actor, refusedAtLimit, cancellationToken);
            next = end;
            run.ReportProgress(next - 1, import.Rows);
            if (options.PauseBetweenBatches > TimeSpan.Zero && next <= import.Rows)
            {
                await Task.Delay(options.PauseBetweenBatches, cancellationToken);
            }
        }
        return await FinishAsync(db, id, cancellationToken);
    }

    private static async Task<Import?> ReadAsync(NpgsqlDataSource db, Guid id, CancellationToken cancellationToken)
    {
        await using var command = db.CreateCommand("SELECT tenant_id, rows, next_seq, result FROM candidate_imports WHERE id = $1");
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Uuid, Value = id });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new Import(reader.GetString(0), reader.GetInt32(1), reader.GetInt32(2), reader.IsDBNull(3) ? null : reader.GetString(3))
            : null;
    }

    /// <summary>
    /// One batch, records <paramref name="from"/> to <paramref name="end"/> (excluded), in one transaction.
    /// Each staged row is deleted by one statement only, and counted by the statement that deleted it, so
    /// even two runs of one import (a silo cut off while its run went on) insert and count each record once.
    /// </summary>
    private static async Task MoveAsync(NpgsqlDataSource db, Guid id, string tenant, int from, int end, long room, string actor,
        string refusedAtLimit, CancellationToken cancellationToken)
    {
        await using var batch = db.CreateBatch();
        if (room < end - from)
        {
            // Near the cap: the accepted records past the room left are refused, in this batch's transaction.
            var refuse = new NpgsqlBatchCommand(
                """
                WITH over AS (
                    UPDATE candidate_import_rows SET error = $5, candidate_id = NULL
                     WHERE import_id = $1 AND seq IN (
                           SELECT seq FROM candidate_import_rows
                            WHERE import_id = $1 AND seq >= $2 AND seq < $3 AND error IS NULL
                            ORDER BY seq OFFSET $4)
                    RETURNING 1)
                UPDATE candidate_imports SET over_limit = over_limit + (SELECT count(*) FROM over) WHERE id = $1
                """);
            refuse.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Uuid, Value = id });
            refuse.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Integer, Value = from });
            refuse.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Integer, Value = end });
            refuse.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint, Value = Math.Max(room, 0) });
            refuse.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = refusedAtLimit });
            batch.BatchCommands.Add(refuse);
        }
        var move = new NpgsqlBatchCommand(
            $"""
            WITH src AS (
                DELETE FROM candidate_import_rows
                 WHERE import_id = $1 AND seq >= $2 AND seq < $3 AND error IS NULL
                RETURNING candidate_id, company_name, contact_email, contact_phone, products),
            w AS (
                INSERT INTO candidates (id, version, tenant_id, company_name, contact_email, contact_phone, products, status,
                                        provisioning, request_hash, created_at, updated_at, history_count)
                SELECT candidate_id, 1, $4, company_name, contact_email, contact_phone, products, 'pending',
                       'not_started', 'import:' || candidate_id, now(), now(), 1
                  FROM src
                ON CONFLICT (id) DO NOTHING
                RETURNING id, created_at),
            history AS (
                INSERT INTO candidate_history (candidate_id, seq, at, actor, action, from_status, to_status, note)
                SELECT id, 0, created_at, $5, 'created', NULL, 'pending', NULL FROM w),
            {Counters.AddCte("""
                SELECT $4, c.kind, c.key, $6, (SELECT count(*) FROM w)
                  FROM (VALUES ('candidate.status', 'pending'), ('candidate.provisioning', 'not_started')) AS c(kind, key)
                 WHERE EXISTS (SELECT 1 FROM w)
                """)},
            checkpoint AS (
                UPDATE candidate_imports
                   SET next_seq = greatest(next_seq, $3), imported = imported + (SELECT count(*) FROM w),
                       existing = existing + (SELECT count(*) FROM src) - (SELECT count(*) FROM w)
                 WHERE id = $1)
            SELECT 1
            """);
        move.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Uuid, Value = id });
        move.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Integer, Value = from });
        move.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Integer, Value = end });
        move.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = tenant });
        move.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = actor });
        move.Parameters.Add(Counters.StripeParameter());
        batch.BatchCommands.Add(move);
        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Writes the report once (counts, and the first <see cref="ReportedRows"/> refused records with their
    /// line and errors) and removes what is left of the staged rows.
    /// </summary>
    private static async Task<object?> FinishAsync(NpgsqlDataSource db, Guid id, CancellationToken cancellationToken)
    {
        var refused = new List<object>();
        await using (var command = db.CreateCommand(
            $"SELECT line, error FROM candidate_import_rows WHERE import_id = $1 AND error IS NOT NULL ORDER BY seq LIMIT {ReportedRows}"))
        {
            command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Uuid, Value = id });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                refused.Add(new { line = reader.GetInt32(0), errors = JsonSerializer.Deserialize<Dictionary<string, string[]>>(reader.GetString(1)) });
            }
        }
        int rows, invalid, imported, existing, overLimit;
        await using (var command = db.CreateCommand("SELECT rows, invalid, imported, existing, over_limit FROM candidate_imports WHERE id = $1"))
        {
            command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Uuid, Value = id });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            (rows, invalid, imported, existing, overLimit) = (reader.GetInt32(0), reader.GetInt32(1), reader.GetInt32(2), reader.GetInt32(3), reader.GetInt32(4));
        }
        var result = JsonSerializer.SerializeToElement(new
        {
            total = rows,
            imported,
            already_imported = existing,
            invalid = invalid + overLimit,
            over_limit = overLimit,
            invalid_rows = refused,
        });
        await using (var command = db.CreateCommand(
            """
            WITH done AS (DELETE FROM candidate_import_rows WHERE import_id = $1)
            UPDATE candidate_imports SET result = $2, finished_at = now() WHERE id = $1 AND result IS NULL
            """))
        {
            command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Uuid, Value = id });
            command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = result.GetRawText() });
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        return result;
    }
}
