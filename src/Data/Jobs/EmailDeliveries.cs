using Npgsql;

namespace Actors.Data.Jobs;

/// <summary><c>email_deliveries</c>: each recipient of an <c>email.send</c> job, by address, with its outcome.</summary>
public static class EmailDeliveries
{
    /// <summary>The recipients of an email job, by address (at most its recipients' count of rows: a bounded count).</summary>
    public static async Task<Page<EmailDelivery>> PageAsync(NpgsqlDataSource db, Guid jobId, Paging page) =>
        await PagedQuery.ReadAsync(db, "recipient, status, error, attempt, sent_at", "email_deliveries",
            "job_id = @job", new KeysetOrder(null, "recipient", "text", Descending: false), page, [("job", jobId)],
            r => new EmailDelivery(r.GetString(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2), r.GetInt32(3), r.GetFieldValue<DateTimeOffset>(4)),
            async () =>
            {
                await using var count = db.CreateCommand("SELECT count(*) FROM email_deliveries WHERE job_id = $1");
                count.Parameters.Add(new NpgsqlParameter { Value = jobId });
                return (long)(await count.ExecuteScalarAsync())!;
            });

    /// <summary>The recipients an earlier attempt of the job already sent to.</summary>
    public static async Task<HashSet<string>> SentAsync(NpgsqlDataSource db, Guid jobId, CancellationToken cancellationToken)
    {
        await using var command = db.CreateCommand("SELECT recipient FROM email_deliveries WHERE job_id = $1 AND status = 'sent'");
        command.Parameters.Add(new NpgsqlParameter { Value = jobId });
        var sent = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            sent.Add(reader.GetString(0));
        }
        return sent;
    }

    /// <summary>Records one recipient's outcome (<c>sent</c> or <c>failed</c>) for this attempt.</summary>
    public static async Task RecordAsync(NpgsqlDataSource db, Guid jobId, string tenantId, int attempt, string recipient, string status,
        string? error, CancellationToken cancellationToken)
    {
        await using var command = db.CreateCommand(
            """
            INSERT INTO email_deliveries (job_id, recipient, tenant_id, status, error, attempt, sent_at)
            VALUES ($1, $2, $3, $4, $5, $6, now())
            ON CONFLICT (job_id, recipient) DO UPDATE
               SET status = EXCLUDED.status, error = EXCLUDED.error, attempt = EXCLUDED.attempt, sent_at = EXCLUDED.sent_at
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = jobId });
        command.Parameters.Add(new NpgsqlParameter { Value = recipient });
        command.Parameters.Add(new NpgsqlParameter { Value = tenantId });
        command.Parameters.Add(new NpgsqlParameter { Value = status });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)error ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = attempt });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
