using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Npgsql;

namespace Actors.Bench;

/// <summary>
/// Scenario I (<c>Actors.Bench import …</c>): bulk CSV ingestion on a stack of its own fresh database.
/// One file of N valid records (1,000,000 by default) is sent to <c>POST /candidates/imports</c> and
/// timed from the first byte sent to the job's <c>completed_at</c>, with the stack's CPU. Beside it,
/// in the same run: reference C, PostgreSQL's own <c>COPY … (FORMAT csv)</c> of the same file into a
/// plain table (the floor: parsing and storing, no index, no check), and the path this replaces,
/// <c>candidates.import</c> jobs of 1,000 inline rows, on a smaller file. Writes a Markdown table.
/// </summary>
public static class ImportScenario
{
    private const string Header = "company_name,contact_email,contact_phone,products";

    /// <summary>The <c>import</c> subcommand.</summary>
    public static Command Command()
    {
        var command = new Command("import", "Scenario I: a CSV file through POST /candidates/imports, beside COPY and the inline-rows jobs it replaces; writes a Markdown table.");
        var stack = new StackOptions(command, required: true);
        var rows = Cli.Optional("--rows", "Records of the file imported", 1000000);
        var beforeRows = Cli.Optional("--before-rows", "Records of the smaller file for the path this replaces (candidates.import jobs)", 20000);
        var output = Cli.Required<string>("--out", "The Markdown files written, comma-separated");
        var commit = Cli.Optional("--commit", "The commit measured, for the report", "?");
        var run = Cli.Optional("--command", "The command that ran the bench, for the report", "./scripts/bench.sh import");
        foreach (var option in new Option[] { rows, beforeRows, output, commit, run })
        {
            command.Options.Add(option);
        }
        command.SetAction((result, _) => RunAsync(stack.Read(result), result.GetValue(rows), result.GetValue(beforeRows),
            result.GetValue(output)!, result.GetValue(commit)!, result.GetValue(run)!));
        return command;
    }

    private static async Task<int> RunAsync(Stack stack, int rows, int beforeRows, string output, string commit, string command)
    {
        var cpu = stack.Cpu();
        await using var db = NpgsqlDataSource.Create(stack.ConnectionString);
        using var api = new Api(new Uri(stack.ApiUrl));
        await api.SetUpAsync(stack.Email, stack.Password, maxConcurrentJobs: 4);
        using var upload = new HttpClient { BaseAddress = new Uri(stack.ApiUrl), Timeout = TimeSpan.FromMinutes(10) };
        foreach (var header in api.Tenant.DefaultRequestHeaders)
        {
            upload.DefaultRequestHeaders.TryAddWithoutValidation(header.Key, header.Value);
        }
        var file = Path.Combine(Path.GetTempPath(), $"actors-bench-import-{Environment.ProcessId}.csv");
        try
        {
            var bytes = await WriteFileAsync(file, rows);
            Console.Error.WriteLine($"[bench] I: {rows:N0} records, {bytes / 1e6:F1} MB");

            // Warm-up (not measured): a small import, so the JIT and the pools are not on the bill.
            var warm = Path.ChangeExtension(file, ".warm.csv");
            await WriteFileAsync(warm, 2000);
            await ImportAsync(upload, warm);
            File.Delete(warm);

            var cpu0 = cpu.Take();
            var (sent, staged, job) = await ImportAsync(upload, file);
            var cpu1 = cpu.Take();
            var result = job.GetProperty("result");
            var completed = job.GetProperty("completed_at").GetDateTimeOffset();
            var imported = result.GetProperty("imported").GetInt32();
            if (imported != rows)
            {
                throw new InvalidOperationException($"imported {imported} of {rows}: {result}");
            }
            var stored = (long)(await db.CreateCommand(
                $"SELECT coalesce(sum(n), 0)::bigint FROM counters WHERE tenant_id = '{api.TenantId}' AND kind = 'candidate.status'").ExecuteScalarAsync())!;
            var total = (completed - sent).TotalSeconds;
            var stagedSeconds = (staged - sent).TotalSeconds;
            var usage = CpuMeter.Between(cpu0, cpu1);
            Console.Error.WriteLine($"[bench] I: {rows / total:N0} records/s, {total:F1} s (sent and staged in {stagedSeconds:F1} s)");

            // Reference C: the same file through PostgreSQL's COPY into a plain table.
            await Exec(db, "DROP TABLE IF EXISTS bench_i_copy; CREATE TABLE bench_i_copy (company_name text, contact_email text, contact_phone text, products text)");
            var pg0 = cpu.Take();
            var copyClock = Stopwatch.StartNew();
            await using (var connection = await db.OpenConnectionAsync())
            {
                await using var writer = await connection.BeginTextImportAsync("COPY bench_i_copy FROM STDIN (FORMAT csv, HEADER true)");
                using var reader = new StreamReader(file);
                var buffer = new char[64 * 1024];
                int read;
                while ((read = await reader.ReadAsync(buffer)) > 0)
                {
                    await writer.WriteAsync(buffer.AsMemory(0, read));
                }
            }
            var copySeconds = copyClock.Elapsed.TotalSeconds;
            var copyUsage = CpuMeter.Between(pg0, cpu.Take());
            await Exec(db, "DROP TABLE bench_i_copy");

            // The path this replaces: candidates.import jobs of 1,000 inline rows.
            var (beforeSeconds, beforeUsage) = await InlineJobsAsync(api, db, cpu, beforeRows);

            string Cpu(CpuMeter.Usage u, int n) => (u.Cores.Take(3).Sum() * u.WallSeconds / n * 1e6).ToString("F1", CultureInfo.InvariantCulture);
            var report = new StringBuilder();
            report.AppendLine(CultureInfo.InvariantCulture, $"# Scenario I: bulk CSV import, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
            report.AppendLine();
            report.AppendLine(CultureInfo.InvariantCulture, $"Commit {commit}; command `{command}`; " +
                $"1 API, {stack.SiloPids.Count} silo, PostgreSQL on the same machine ({Environment.ProcessorCount} cores), fsync on.");
            report.AppendLine(CultureInfo.InvariantCulture, $"The file: {rows:N0} valid records, {bytes / 1e6:F1} MB, header `{Header}`.");
            report.AppendLine();
            report.AppendLine("| what | records | seconds | records/s | stack CPU µs per record (API + silo + PostgreSQL) |");
            report.AppendLine("|---|---:|---:|---:|---:|");
            report.AppendLine(CultureInfo.InvariantCulture, $"| I: `POST /candidates/imports`, first byte sent to the job's `completed_at` (target ≤ 180 s) | {rows:N0} | {total:F1} | {rows / total:N0} | {Cpu(usage, rows)} |");
            report.AppendLine(CultureInfo.InvariantCulture, $"| … of which sent, checked and staged (the 202) | {rows:N0} | {stagedSeconds:F1} | {rows / stagedSeconds:N0} | |");
            report.AppendLine(CultureInfo.InvariantCulture, $"| … of which the job (batches of 5,000 into candidates, history, counters) | {rows:N0} | {total - stagedSeconds:F1} | {rows / (total - stagedSeconds):N0} | |");
            report.AppendLine(CultureInfo.InvariantCulture, $"| C: `COPY … (FORMAT csv)` of the same file into a plain table (no index, no check) | {rows:N0} | {copySeconds:F1} | {rows / copySeconds:N0} | {Cpu(copyUsage, rows)} |");
            report.AppendLine(CultureInfo.InvariantCulture, $"| before: `candidates.import` jobs of 1,000 inline rows, 4 at a time (the tenant's max_concurrent_jobs) | {beforeRows:N0} | {beforeSeconds:F1} | {beforeRows / beforeSeconds:N0} | {Cpu(beforeUsage, beforeRows)} |");
            report.AppendLine();
            report.AppendLine(CultureInfo.InvariantCulture, $"Stored afterwards (the tenant's counter): {stored:N0} candidates. " +
                $"At the 'before' rate {rows:N0} records would take {rows / (beforeRows / beforeSeconds) / 60:F1} minutes.");
            report.AppendLine("CPU is read from /proc for the API, the silo and PostgreSQL (postmaster and backends) over each row's interval.");
            foreach (var path in output.Split(','))
            {
                await File.WriteAllTextAsync(path, report.ToString());
            }
            Console.Out.Write(report);
            return 0;
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static async Task<long> WriteFileAsync(string path, int rows)
    {
        await using (var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20))
        {
            await writer.WriteAsync(Header + "\n");
            for (var i = 1; i <= rows; i++)
            {
                await writer.WriteAsync(string.Create(CultureInfo.InvariantCulture,
                    $"Provider {i} Ltd,onboarding{i}@bench.example,+44 20 7946 {i % 10000:D4},hosting;email\n"));
            }
        }
        return new FileInfo(path).Length;
    }

    /// <summary>Uploads the file; answers when it was sent, when the 202 came, and the completed job.</summary>
    private static async Task<(DateTimeOffset Sent, DateTimeOffset Staged, JsonElement Job)> ImportAsync(HttpClient http, string path)
    {
        await using var stream = File.OpenRead(path);
        var content = new StreamContent(stream, 1 << 20);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("text/csv; charset=utf-8");
        var sent = DateTimeOffset.UtcNow;
        using var response = await http.PostAsync("/candidates/imports", content);
        var accepted = await Api.JsonAsync(response, HttpStatusCode.Accepted);
        var staged = DateTimeOffset.UtcNow;
        var id = accepted.GetProperty("id").GetGuid();
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            using var poll = await http.GetAsync($"/jobs/{id}");
            var job = await Api.JsonAsync(poll, HttpStatusCode.OK);
            switch (job.GetProperty("status").GetString())
            {
                case "completed":
                    return (sent, staged, job);
                case "failed" or "cancelled":
                    throw new InvalidOperationException("the import job ended " + job);
            }
            if (deadline.Elapsed > TimeSpan.FromMinutes(20))
            {
                throw new TimeoutException("the import job did not complete within 20 minutes: " + job);
            }
            await Task.Delay(200);
        }
    }

    private static async Task<(double Seconds, CpuMeter.Usage Usage)> InlineJobsAsync(Api api, NpgsqlDataSource db, CpuMeter cpu, int rows)
    {
        var cpu0 = cpu.Take();
        var clock = Stopwatch.StartNew();
        var ids = new List<Guid>();
        for (var start = 0; start < rows; start += 1000)
        {
            var csv = new StringBuilder(Header + "\n");
            for (var i = start; i < Math.Min(rows, start + 1000); i++)
            {
                csv.Append(CultureInfo.InvariantCulture, $"Inline {i} Ltd,inline{i}@bench.example,,hosting\n");
            }
            using var response = await api.Tenant.PostAsync("/jobs", Api.Json(new { type = "candidates.import", parameters = new { csv = csv.ToString() } }));
            ids.Add((await Api.JsonAsync(response, HttpStatusCode.Accepted)).GetProperty("id").GetGuid());
        }
        while (true)
        {
            await using var command = db.CreateCommand("SELECT count(*) FROM jobs WHERE id = ANY($1) AND status IN ('completed', 'failed', 'cancelled')");
            command.Parameters.Add(new NpgsqlParameter { Value = ids.ToArray() });
            if ((long)(await command.ExecuteScalarAsync())! == ids.Count)
            {
                break;
            }
            if (clock.Elapsed > TimeSpan.FromMinutes(15))
            {
                throw new TimeoutException("the inline import jobs did not finish within 15 minutes");
            }
            await Task.Delay(200);
        }
        return (clock.Elapsed.TotalSeconds, CpuMeter.Between(cpu0, cpu.Take()));
    }

    private static async Task Exec(NpgsqlDataSource db, string sql)
    {
        await using var command = db.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }
}
