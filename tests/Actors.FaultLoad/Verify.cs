using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Npgsql;

namespace Actors.FaultLoad;

/// <summary>
/// <c>verify</c>: the checks of a fault scenario after its load has stopped, against the database and the
/// processes' JSON logs. Prints one line per check, <c>PASS: name (detail)</c> or <c>FAIL: name (detail)</c>, which
/// tests/system/stack.sh counts with its own checks; exits 1 when one fails.
/// <list type="bullet">
/// <item>with <c>--dir</c>: every create the load acknowledged (<c>acked.txt</c>) is stored once, no candidate of
/// the load is stored twice, every acknowledged approval (<c>approved.txt</c>) is stored with one approval in its
/// history, every acknowledged job of a batch (<c>jobs.txt</c>) is stored;</item>
/// <item><c>--submitted-jobs FILE</c>: the jobs the script submitted itself (one id a line) all completed;</item>
/// <item><c>--schedule ID</c>: one job per cron occurrence from the schedule's creation to its last run, one job
/// per idempotency key, all completed;</item>
/// <item><c>--silo-log FILE</c> (repeatable): no job ended <c>completed</c> twice. The database keeps a job's last
/// state only, so a second completion (two activations, or a re-run of a finished job) shows only in the
/// silos' structured log events: each event's <c>job_id</c> and <c>status</c> fields are read;</item>
/// <item><c>--api-log FILE</c>: the API's request events hold no 5xx other than 503.</item>
/// </list>
/// </summary>
public static class Verify
{
    /// <summary>The <c>verify</c> command.</summary>
    public static Command Command()
    {
        var connection = new Option<string>("--connection-string") { Description = "The stack's database", Required = true };
        var tenant = new Option<string>("--tenant") { Description = "The load's tenant", DefaultValueFactory = _ => "fault" };
        var dir = new Option<string?>("--dir") { Description = "The load's work folder (acked.txt, approved.txt, jobs.txt)" };
        var submitted = new Option<string?>("--submitted-jobs") { Description = "File of job ids (one a line) that must all have completed" };
        var schedule = new Option<Guid?>("--schedule") { Description = "A cron schedule whose every occurrence must have run once" };
        var siloLogs = new Option<string[]>("--silo-log") { Description = "A silo's JSON log (repeatable)", AllowMultipleArgumentsPerToken = true };
        var apiLog = new Option<string?>("--api-log") { Description = "The API's JSON log" };
        var command = new Command("verify", "Checks a fault scenario's outcome against the database and the JSON logs")
        {
            connection, tenant, dir, submitted, schedule, siloLogs, apiLog,
        };
        command.SetAction(async r =>
        {
            await using var db = new NpgsqlDataSourceBuilder(r.GetRequiredValue(connection)).Build();
            var checks = new Checks(db, r.GetRequiredValue(tenant));
            if (r.GetValue(dir) is { } d) await checks.WritesAsync(d);
            if (r.GetValue(submitted) is { } s) await checks.SubmittedJobsAsync(s);
            if (r.GetValue(schedule) is { } id) await checks.ScheduleAsync(id);
            if (r.GetValue(siloLogs) is { Length: > 0 } logs) checks.CompletedOnce(logs);
            if (r.GetValue(apiLog) is { } a) checks.NoServerErrors(a);
            return checks.Failed == 0 ? 0 : 1;
        });
        return command;
    }

    private sealed class Checks(NpgsqlDataSource db, string tenant)
    {
        public int Failed { get; private set; }

        private void Check(string name, bool holds, string detail)
        {
            if (!holds) Failed++;
            Console.WriteLine($"{(holds ? "PASS" : "FAIL")}: {name} ({detail})");
        }

        private async Task<long> CountAsync(string sql, params object[] values)
        {
            await using var cmd = db.CreateCommand(sql);
            foreach (var v in values) cmd.Parameters.Add(new NpgsqlParameter { Value = v });
            return Convert.ToInt64(await cmd.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
        }

        private static string[] Lines(string path) =>
            File.Exists(path) ? File.ReadAllLines(path).Where(l => l.Length > 0).ToArray() : [];

        private static Guid[] Ids(string path) => Lines(path).Select(Guid.Parse).ToArray();

        public async Task WritesAsync(string dir)
        {
            var acked = Lines(Path.Combine(dir, "acked.txt")).Select(l => "fault-" + l).ToArray();
            var missing = await CountAsync(
                "SELECT count(*) FROM unnest($2::text[]) a(name) WHERE NOT EXISTS (SELECT 1 FROM candidates c WHERE c.tenant_id = $1 AND c.company_name = a.name)",
                tenant, acked);
            Check("every acknowledged create is in candidates", missing == 0, $"{acked.Length} acknowledged, {missing} missing");
            var duplicated = await CountAsync(
                "SELECT count(*) FROM (SELECT company_name FROM candidates WHERE tenant_id = $1 GROUP BY company_name HAVING count(*) > 1) d", tenant);
            var unacked = await CountAsync(
                "SELECT count(*) FROM candidates c WHERE c.tenant_id = $1 AND c.company_name ~ '^fault-[0-9]+$' AND NOT EXISTS (SELECT 1 FROM unnest($2::text[]) a(name) WHERE a.name = c.company_name)",
                tenant, acked);
            Check("no candidate is duplicated", duplicated == 0, $"{duplicated} duplicated; {unacked} written but not acknowledged (in flight at the stop)");

            var approved = Ids(Path.Combine(dir, "approved.txt"));
            if (approved.Length > 0)
            {
                var stored = await CountAsync("SELECT count(*) FROM candidates WHERE tenant_id = $1 AND id = ANY($2) AND status = 'approved'", tenant, approved);
                var twice = await CountAsync(
                    "SELECT count(*) FROM (SELECT candidate_id FROM candidate_history WHERE candidate_id = ANY($1) AND to_status = 'approved' GROUP BY candidate_id HAVING count(*) > 1) d",
                    approved);
                Check("every acknowledged approval is stored once (status approved, one approval in its history)", stored == approved.Length && twice == 0,
                    $"{stored} of {approved.Length}; approved twice in history: {twice}");
            }

            var jobs = Ids(Path.Combine(dir, "jobs.txt"));
            if (jobs.Length > 0)
            {
                var stored = await CountAsync("SELECT count(*) FROM jobs WHERE tenant_id = $1 AND id = ANY($2)", tenant, jobs);
                Check("every acknowledged job of a batch is stored", stored == jobs.Length, $"{stored} of {jobs.Length}");
            }
        }

        public async Task SubmittedJobsAsync(string file)
        {
            var ids = Ids(file);
            await using var cmd = db.CreateCommand(
                "SELECT count(*), count(*) FILTER (WHERE status = 'completed'), coalesce(string_agg(attempts::text, ',' ORDER BY created_at), '') FROM jobs WHERE id = ANY($1)");
            cmd.Parameters.Add(new NpgsqlParameter { Value = ids });
            await using var reader = await cmd.ExecuteReaderAsync();
            await reader.ReadAsync();
            var (total, completed, attempts) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2));
            Check("every submitted job completed", ids.Length > 0 && total == ids.Length && completed == ids.Length,
                $"{completed} of {ids.Length} completed ({total} stored); attempts: {attempts}");
        }

        public async Task ScheduleAsync(Guid schedule)
        {
            await using var cmd = db.CreateCommand("""
                SELECT count(*),
                       count(DISTINCT request_hash),
                       count(*) FILTER (WHERE status = 'completed'),
                       count(*) FILTER (WHERE request_hash LIKE 'schedule:cron:%'),
                       (SELECT count(*) FROM schedules s,
                               generate_series(date_trunc('minute', s.created_at) + interval '1 minute', s.last_run_at, interval '1 minute') g
                         WHERE s.id = $1)
                  FROM jobs WHERE schedule_id = $1
                """);
            cmd.Parameters.Add(new NpgsqlParameter { Value = schedule });
            await using var reader = await cmd.ExecuteReaderAsync();
            await reader.ReadAsync();
            var (jobs, keys, completed, cron, expected) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4));
            Check("schedule: one job per occurrence, every occurrence run, all completed",
                jobs == keys && cron == expected && cron > 0 && completed == jobs,
                $"{cron} cron jobs for {expected} occurrences, {jobs - cron} triggered, {completed} of {jobs} completed");
        }

        public void CompletedOnce(IEnumerable<string> logs)
        {
            var completions = new Dictionary<string, int>();
            foreach (var e in Events(logs))
            {
                if (e.TryGetProperty("job_id", out var id) && e.TryGetProperty("status", out var status) && status.GetString() == "completed"
                    && e.TryGetProperty("message", out var message) && message.GetString()!.Contains(" ended ", StringComparison.Ordinal))
                {
                    var key = id.ToString();
                    completions[key] = completions.GetValueOrDefault(key) + 1;
                }
            }
            var twice = completions.Count(c => c.Value > 1);
            // A silo killed right after a completion may not have flushed its line: fewer lines than jobs is no failure.
            Check("no job completed twice (the silos' log events)", twice == 0, $"{completions.Count} jobs ended completed in the logs, {twice} more than once");
        }

        public void NoServerErrors(string log)
        {
            var errors = Events([log]).Count(e => e.TryGetProperty("event", out var ev) && ev.GetString() == "request"
                && e.TryGetProperty("status_code", out var code) && code.ValueKind == JsonValueKind.Number && code.GetInt32() is >= 500 and not 503);
            Check("the API answered no 5xx other than 503", errors == 0, errors.ToString(CultureInfo.InvariantCulture));
        }

        /// <summary>The JSON objects of the logs, one a line; lines that are not JSON (the runtime's own output) are passed over.</summary>
        private static IEnumerable<JsonElement> Events(IEnumerable<string> logs)
        {
            foreach (var log in logs.Where(File.Exists))
            {
                foreach (var line in File.ReadLines(log))
                {
                    if (!line.StartsWith('{')) continue;
                    JsonElement element;
                    try
                    {
                        using var doc = JsonDocument.Parse(line);
                        element = doc.RootElement.Clone();
                    }
                    catch (JsonException)
                    {
                        continue;
                    }
                    yield return element;
                }
            }
        }
    }
}
