using System.Globalization;
using System.Text;
using System.Text.Json;
using Actors.Contracts;
using Actors.Contracts.Candidates;
using Npgsql;
using NpgsqlTypes;

namespace Actors.Data.Candidates;

/// <summary>An import's row in <c>candidate_imports</c>, as its job reads it.</summary>
public sealed record StagedImportRow(string TenantId, int Rows, int NextSeq, string? Result);

/// <summary>
/// <c>candidate_imports</c> and <c>candidate_import_rows</c> (sql/0016_candidate_imports.sql): an
/// upload is staged here in one transaction (<see cref="StageAsync"/>), then its job moves the staged
/// records into <c>candidates</c> a batch per statement (<see cref="MoveAsync"/>) and writes the report
/// once (<see cref="FinishAsync"/>).
/// </summary>
public static class CandidateImports
{
    public const int ReportedRows = 1000;

    /// <summary>The refusal of a file over the import's size or record limit.</summary>
    public static ActorsException TooLarge(ImportOptions options) => new(ErrorCodes.TooLarge,
        $"An import holds at most {(options.MaxBytes >= 1024 * 1024 ? $"{options.MaxBytes / (1024 * 1024)} MB" : $"{options.MaxBytes / 1024} KB")} " +
        $"and {options.MaxRows.ToString("N0", CultureInfo.InvariantCulture)} records; split the file.");

    /// <summary>
    /// Reads, checks and copies every record in one transaction. The import's row is written last, so a
    /// file cut short, too large or not CSV leaves nothing behind; a retried upload with the same
    /// Idempotency-Key whose job was never created replaces what an earlier attempt staged.
    /// </summary>
    public static async Task StageAsync(NpgsqlDataSource db, Guid id, string tenant, string actor, Stream file, ImportOptions options,
        CancellationToken cancellationToken)
    {
        using var text = new StreamReader(file, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true),
            detectEncodingFromByteOrderMarks: true, bufferSize: 64 * 1024, leaveOpen: true);
        var csv = new CsvRecords(text);
        var fields = new List<string>();
        if (!await csv.ReadAsync(fields))
        {
            throw ActorsException.Invalid("file", CandidateCsv.EmptyRefusal);
        }
        var format = CandidateCsv.FromHeader(fields, out var headerErrors);
        if (format is null)
        {
            throw new ActorsException(ErrorCodes.Validation, "One or more fields are invalid.",
                new Dictionary<string, string[]> { ["file"] = [.. headerErrors] });
        }

        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var clear = new NpgsqlCommand(
            "WITH staged AS (DELETE FROM candidate_import_rows WHERE import_id = $1) DELETE FROM candidate_imports WHERE id = $1", connection, transaction))
        {
            clear.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Uuid, Value = id });
            await clear.ExecuteNonQueryAsync(cancellationToken);
        }
        int rows = 0, invalid = 0;
        var idText = id.ToString();
        await using (var copy = await connection.BeginBinaryImportAsync(
            "COPY candidate_import_rows (import_id, seq, line, candidate_id, company_name, contact_email, contact_phone, products, error) " +
            "FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            while (await csv.ReadAsync(fields))
            {
                if (++rows > options.MaxRows)
                {
                    throw TooLarge(options);
                }
                var line = csv.StartLine;
                await copy.StartRowAsync(cancellationToken);
                await copy.WriteAsync(id, NpgsqlDbType.Uuid, cancellationToken);
                await copy.WriteAsync(rows, NpgsqlDbType.Integer, cancellationToken);
                await copy.WriteAsync(line, NpgsqlDbType.Integer, cancellationToken);
                var refusal = format!.Check(fields, out var row);
                if (refusal is not null)
                {
                    invalid++;
                    for (var i = 0; i < 5; i++) await copy.WriteNullAsync(cancellationToken);
                    await copy.WriteAsync(JsonSerializer.Serialize(refusal), NpgsqlDbType.Text, cancellationToken);
                    continue;
                }
                await copy.WriteAsync(StableId.Create("import", idText, line.ToString(CultureInfo.InvariantCulture)),
                    NpgsqlDbType.Uuid, cancellationToken);
                await copy.WriteAsync(row.CompanyName, NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(row.ContactEmail, NpgsqlDbType.Text, cancellationToken);
                if (row.ContactPhone is null) await copy.WriteNullAsync(cancellationToken);
                else await copy.WriteAsync(row.ContactPhone, NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(row.Products.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text, cancellationToken);
                await copy.WriteNullAsync(cancellationToken);
            }
            if (rows == 0)
            {
                throw ActorsException.Invalid("file", "has a header and no records");
            }
            await copy.CompleteAsync(cancellationToken);
        }
        await using (var insert = new NpgsqlCommand(
            "INSERT INTO candidate_imports (id, tenant_id, created_by, created_at, rows, invalid) VALUES ($1, $2, $3, now(), $4, $5)",
            connection, transaction))
        {
            insert.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Uuid, Value = id });
            insert.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = tenant });
            insert.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = actor });
            insert.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Integer, Value = rows });
            insert.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Integer, Value = invalid });
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>The staged import: its tenant, records, the next record to move and its report once finished.</summary>
    public static async Task<StagedImportRow?> ReadAsync(NpgsqlDataSource db, Guid id, CancellationToken cancellationToken)
    {
        await using var command = db.CreateCommand("SELECT tenant_id, rows, next_seq, result FROM candidate_imports WHERE id = $1");
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Uuid, Value = id });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new StagedImportRow(reader.GetString(0), reader.GetInt32(1), reader.GetInt32(2), reader.IsDBNull(3) ? null : reader.GetString(3))
            : null;
    }

    /// <summary>
    /// One batch, records <paramref name="from"/> to <paramref name="end"/> (excluded), in one transaction.
    /// Each staged row is deleted by one statement only, and counted by the statement that deleted it, so
    /// even two runs of one import (a silo cut off while its run went on) insert and count each record once.
    /// </summary>
    public static async Task MoveAsync(NpgsqlDataSource db, Guid id, string tenant, int from, int end, long room, string actor,
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
    public static async Task<object?> FinishAsync(NpgsqlDataSource db, Guid id, CancellationToken cancellationToken)
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

    /// <summary>
    /// Drops the imports older than <paramref name="days"/> (their reports go with their jobs) and a file
    /// staged a day ago whose job was never created (the upload's answer was lost and not retried).
    /// </summary>
    public static async Task DeleteExpiredAsync(NpgsqlDataSource db, int days)
    {
        await using var imports = db.CreateCommand(
            """
            WITH gone AS (
                DELETE FROM candidate_imports i
                 WHERE i.created_at < now() - make_interval(days => @days)
                    OR (i.created_at < now() - interval '1 day' AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.id = i.id))
                RETURNING id)
            DELETE FROM candidate_import_rows r USING gone WHERE r.import_id = gone.id
            """);
        imports.Parameters.AddWithValue("days", days);
        await imports.ExecuteNonQueryAsync();
    }
}
