using Npgsql;

namespace Actors.Bench;

/// <summary>
/// Fills the bench tenant through the product's storage layout (sql/0010_typed_state.sql), as the bulk
/// path may: <c>candidates</c> rows (a third each pending, approved, rejected) with their "created"
/// history row, <c>jobs</c> rows (completed), and the tenant's <c>counters</c> raised to match. The rows
/// are older than anything the bench creates, so the lists' first pages are the bench's own rows, as
/// a user sees them on a tenant that has grown.
/// </summary>
public static class Preload
{
    public static async Task RunAsync(NpgsqlDataSource db, string tenant, int rows)
    {
        string[] statements =
        [
            """
            INSERT INTO candidates (id, tenant_id, company_name, contact_email, products, status, provisioning, version,
                                    decided_by, decided_at, created_at, updated_at, request_hash, history_count)
            SELECT gen_random_uuid(), @t, 'Preloaded ' || g, 'p' || g || '@preload.example', ARRAY['hosting'],
                   (ARRAY['pending', 'approved', 'rejected'])[g % 3 + 1], 'not_started', 1,
                   CASE WHEN g % 3 = 0 THEN NULL ELSE 'preload' END, CASE WHEN g % 3 = 0 THEN NULL ELSE now() - interval '30 days' END,
                   now() - interval '60 days' + g * interval '1 ms', now() - interval '60 days' + g * interval '1 ms', '', 1
              FROM generate_series(1, @n) g
            """,
            """
            INSERT INTO candidate_history (candidate_id, seq, at, actor, action, from_status, to_status)
            SELECT id, 0, created_at, 'preload', 'created', NULL, 'pending' FROM candidates WHERE tenant_id = @t AND contact_email LIKE '%@preload.example'
            """,
            """
            INSERT INTO jobs (id, tenant_id, type, status, attempts, max_attempts, processed, total, created_at, started_at,
                              heartbeat_at, completed_at, parameters, result, request_hash, created_by)
            SELECT gen_random_uuid(), @t, 'diagnostics.sleep', 'completed', 1, 1, 1, 1, now() - interval '30 days' + g * interval '1 ms',
                   now() - interval '30 days' + g * interval '1 ms', now() - interval '30 days' + g * interval '1 ms',
                   now() - interval '30 days' + g * interval '1 ms', '{"steps":1,"step_ms":0}', '{"slept_ms":0}', 'preload', 'preload'
              FROM generate_series(1, @n) g
            """,
            """
            INSERT INTO counters AS k (tenant_id, kind, key, stripe, n)
            SELECT @t, 'candidate.status', s, 0, count(*) FROM (SELECT (ARRAY['pending', 'approved', 'rejected'])[g % 3 + 1] s FROM generate_series(1, @n) g) x GROUP BY s
            UNION ALL SELECT @t, 'candidate.provisioning', 'not_started', 0, @n
            UNION ALL SELECT @t, 'job.status', 'completed', 0, @n
            ON CONFLICT (tenant_id, kind, key, stripe) DO UPDATE SET n = k.n + EXCLUDED.n
            """,
        ];
        await using var connection = await db.OpenConnectionAsync();
        foreach (var sql in statements)
        {
            await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 600 };
            command.Parameters.AddWithValue("t", tenant);
            command.Parameters.AddWithValue("n", rows);
            await command.ExecuteNonQueryAsync();
        }
        foreach (var table in new[] { "candidates", "candidate_history", "jobs", "counters" })
        {
            await using var vacuum = new NpgsqlCommand($"VACUUM ANALYZE {table}", connection) { CommandTimeout = 600 };
            await vacuum.ExecuteNonQueryAsync();
        }
    }
}
