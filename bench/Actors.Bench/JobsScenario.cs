using System.CommandLine;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Npgsql;

namespace Actors.Bench;

/// <summary>
/// Scenario J for Actors (<c>Actors.Bench jobs …</c>): no-op jobs through the API of a stack on its own
/// fresh database. Burn-down (N jobs through <c>POST /jobs/batch</c>, drained with 64 slots), idle
/// submit-to-start latency, cost (commits from <c>pg_stat_database</c>, stack CPU), and fairness (tenant
/// Y's singles while tenant X floods). Writes one JSON object of the same shape as the references'
/// runners (<c>bench/Actors.BenchHangfire</c>, <c>bench/graphile</c>); <see cref="JobsReport"/> renders them.
/// </summary>
public static class JobsScenario
{
    private const string NoOp = """{"type":"diagnostics.sleep","parameters":{"steps":0}}""";
    private const int BatchSize = 1000;
    private const int BatchClients = 4;
    private static readonly TimeSpan PhaseLimit = TimeSpan.FromMinutes(5);

    /// <summary>The <c>jobs</c> subcommand.</summary>
    public static Command Command()
    {
        var command = new Command("jobs", "Scenario J for Actors: no-op jobs through the API (burn-down, idle latency, cost, fairness); writes one JSON object.");
        var stack = new StackOptions(command, required: true);
        var n = Cli.Optional("--n", "Jobs of the burn-down (tenant X)", 20000);
        var flood = Cli.Optional("--flood", "Jobs tenant X floods while tenant Y's singles are timed", 40000);
        var fair = Cli.Optional("--fair", "Tenant Y's singles during the flood", 100);
        var latency = Cli.Optional("--latency", "Singles on the idle engine, for the submit-to-start latency", 200);
        var output = Cli.Required<string>("--out", "The JSON file written");
        foreach (var option in new Option[] { n, flood, fair, latency, output })
        {
            command.Options.Add(option);
        }
        command.SetAction((result, _) => RunAsync(stack.Read(result), result.GetValue(n), result.GetValue(flood), result.GetValue(fair),
            result.GetValue(latency), result.GetValue(output)!));
        return command;
    }

    private static async Task<int> RunAsync(Stack stack, int n, int flood, int fair, int latencyCount, string output)
    {
        var cpu = stack.Cpu();
        await using var db = NpgsqlDataSource.Create(stack.ConnectionString);
        using var x = new Api(new Uri(stack.ApiUrl));
        using var y = new Api(new Uri(stack.ApiUrl));
        await x.SetUpAsync(stack.Email, stack.Password, maxConcurrentJobs: 64);
        await y.SetUpAsync(stack.Email, stack.Password, maxConcurrentJobs: 64);
        var probe = new Probe(db);
        Console.Error.WriteLine($"[bench] J: Actors, N {n:N0}, flood {flood:N0}");

        // Warm-up (not measured): a small burn-down on Y, so the JIT and the pools are not on the bill.
        await SubmitBatchesAsync(y, 2000);
        await SinglesAsync(y, 20, TimeSpan.Zero);
        await probe.WaitCompletedAsync(y.TenantId, 2020);

        // Burn-down.
        var commits0 = await probe.CommitsAsync();
        probe.TakeOwnQueries();
        var cpu0 = cpu.Take();
        var firstSubmit = DateTimeOffset.UtcNow;
        var submitClock = Stopwatch.StartNew();
        await SubmitBatchesAsync(x, n);
        var submitSeconds = submitClock.Elapsed.TotalSeconds;
        await probe.WaitCompletedAsync(x.TenantId, n);
        var cpu1 = cpu.Take();
        var lastCompleted = await probe.LastCompletedAsync(x.TenantId);
        await Task.Delay(TimeSpan.FromSeconds(1.5)); // backends flush their statistics at most once a second
        var commits = await probe.CommitsAsync() - commits0 - probe.TakeOwnQueries();
        var burnSeconds = (lastCompleted - firstSubmit).TotalSeconds;
        var usage = CpuMeter.Between(cpu0, cpu1);
        var engineSeconds = (usage.Cores[0] + usage.Cores[1]) * usage.WallSeconds;
        var pgSeconds = usage.Cores[2] * usage.WallSeconds;
        Console.Error.WriteLine($"[bench] J burn-down: {n / burnSeconds:N0} jobs/s, {commits / (double)n:F2} commits per job");

        // Latency on the idle engine: singles 50 ms apart on Y.
        var idle = await SinglesAsync(y, latencyCount, TimeSpan.FromMilliseconds(50));
        await probe.WaitCompletedAsync(y.TenantId, 2020 + latencyCount);
        var (idleStart, idleDone) = await probe.LatenciesAsync(idle);

        // Fairness: X floods, Y submits singles 20 ms apart once X's first batch is in.
        var floodStart = DateTimeOffset.UtcNow;
        var firstIn = new TaskCompletionSource();
        var flooding = SubmitBatchesAsync(x, flood, firstIn);
        await firstIn.Task;
        var fairJobs = await SinglesAsync(y, fair, TimeSpan.FromMilliseconds(20));
        await flooding;
        await probe.WaitCompletedAsync(x.TenantId, n + flood);
        await probe.WaitCompletedAsync(y.TenantId, 2020 + latencyCount + fair);
        var floodDrain = (await probe.LastCompletedAsync(x.TenantId) - floodStart).TotalSeconds;
        var (fairStart, _) = await probe.LatenciesAsync(fairJobs);

        var result = new JsonObject
        {
            ["engine"] = "Actors",
            ["name"] = "Actors (this commit; 1 API, " + stack.SiloPids.Count + " silo)",
            ["settings"] = $"POST /jobs/batch of {BatchSize} by {BatchClients} clients; tenant max_concurrent_jobs 64",
            ["n"] = n,
            ["burndown"] = new JsonObject
            {
                ["jobs_per_s"] = Math.Round(n / burnSeconds, 1),
                ["seconds"] = Math.Round(burnSeconds, 2),
                ["submit_seconds"] = Math.Round(submitSeconds, 2),
            },
            ["commits_per_job"] = Math.Round(commits / (double)n, 3),
            ["cpu_s_per_1000"] = new JsonObject
            {
                ["engine"] = Math.Round(engineSeconds / n * 1000, 3),
                ["postgres"] = Math.Round(pgSeconds / n * 1000, 3),
                ["total"] = Math.Round((engineSeconds + pgSeconds) / n * 1000, 3),
            },
            ["latency_ms"] = new JsonObject
            {
                ["n"] = latencyCount,
                ["p50"] = Percentile(idleStart, 50),
                ["p95"] = Percentile(idleStart, 95),
                ["p99"] = Percentile(idleStart, 99),
                ["completed_p99"] = Percentile(idleDone, 99),
            },
            ["fairness"] = new JsonObject
            {
                ["x_jobs"] = flood,
                ["y_jobs"] = fair,
                ["y_p50_ms"] = Percentile(fairStart, 50),
                ["y_p99_ms"] = Percentile(fairStart, 99),
                ["x_drain_seconds"] = Math.Round(floodDrain, 2),
            },
            ["notes"] = "start = the job row's started_at (the grain took the job; its handler begins once that row is committed); "
                        + "completed_p99 = submit to completed_at. Commits exclude the bench's own polling queries.",
        };
        await File.WriteAllTextAsync(output, result.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return 0;
    }

    /// <summary>Submits <paramref name="count"/> no-op jobs in batches of 1,000, 4 requests at a time.</summary>
    private static async Task SubmitBatchesAsync(Api api, int count, TaskCompletionSource? firstIn = null)
    {
        var sizes = Enumerable.Range(0, (count + BatchSize - 1) / BatchSize).Select(i => Math.Min(BatchSize, count - i * BatchSize)).ToList();
        var bodies = sizes.Distinct().ToDictionary(s => s, s => "{\"jobs\":[" + string.Join(',', Enumerable.Repeat(NoOp, s)) + "]}");
        using var limit = new CancellationTokenSource(PhaseLimit);
        await Parallel.ForEachAsync(sizes, new ParallelOptions { MaxDegreeOfParallelism = BatchClients, CancellationToken = limit.Token }, async (size, ct) =>
        {
            using var response = await api.Tenant.PostAsync("/jobs/batch", new StringContent(bodies[size], Encoding.UTF8, "application/json"), ct);
            var body = await Api.JsonAsync(response, HttpStatusCode.OK);
            if (body.GetProperty("accepted").GetInt32() != size)
            {
                throw new InvalidOperationException($"a batch of {size} accepted {body.GetProperty("accepted").GetInt32()}: {body}");
            }
            firstIn?.TrySetResult();
        });
    }

    /// <summary>Single submits <paramref name="gap"/> apart; answers each job's id and the moment it was sent.</summary>
    private static async Task<List<(Guid Id, DateTimeOffset Sent)>> SinglesAsync(Api api, int count, TimeSpan gap)
    {
        var sent = new List<(Guid, DateTimeOffset)>();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            var due = gap * i;
            if (clock.Elapsed < due)
            {
                await Task.Delay(due - clock.Elapsed);
            }
            var at = DateTimeOffset.UtcNow;
            using var response = await api.Tenant.PostAsync("/jobs", Api.Json(NoOp));
            var body = await Api.JsonAsync(response, HttpStatusCode.Accepted);
            sent.Add((body.GetProperty("id").GetGuid(), at));
        }
        return sent;
    }

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? double.NaN : Math.Round(sorted[(int)Math.Clamp(Math.Ceiling(p / 100 * sorted.Count) - 1, 0, sorted.Count - 1)], 1);
    }

    /// <summary>The bench's reads of the database, counted so the commit figure can leave them out.</summary>
    private sealed class Probe(NpgsqlDataSource db)
    {
        private long _queries;

        public long TakeOwnQueries() => Interlocked.Exchange(ref _queries, 0);

        public async Task<long> CommitsAsync() =>
            await ScalarAsync<long>("SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()");

        public async Task WaitCompletedAsync(string tenant, long expected)
        {
            var limit = Stopwatch.StartNew();
            while (await ScalarAsync<long>(
                       "SELECT coalesce(sum(n), 0)::bigint FROM counters WHERE tenant_id = $1 AND kind = 'job.status' AND key = 'completed'", tenant) < expected)
            {
                if (limit.Elapsed > PhaseLimit)
                {
                    throw new TimeoutException($"tenant {tenant}: fewer than {expected} jobs completed after {PhaseLimit}");
                }
                await Task.Delay(50);
            }
        }

        public async Task<DateTimeOffset> LastCompletedAsync(string tenant)
        {
            await using var command = db.CreateCommand("SELECT max(completed_at) FROM jobs WHERE tenant_id = $1 AND status = 'completed'");
            command.Parameters.AddWithValue(tenant);
            await using var reader = await command.ExecuteReaderAsync();
            await reader.ReadAsync();
            Interlocked.Increment(ref _queries);
            return reader.GetFieldValue<DateTimeOffset>(0);
        }

        /// <summary>Submit to <c>started_at</c> and to <c>completed_at</c>, in ms, of the given jobs.</summary>
        public async Task<(List<double> Start, List<double> Done)> LatenciesAsync(List<(Guid Id, DateTimeOffset Sent)> jobs)
        {
            var sent = jobs.ToDictionary(j => j.Id, j => j.Sent);
            await using var command = db.CreateCommand("SELECT id, started_at, completed_at FROM jobs WHERE id = ANY($1)");
            command.Parameters.AddWithValue(sent.Keys.ToArray());
            var start = new List<double>();
            var done = new List<double>();
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var at = sent[reader.GetGuid(0)];
                start.Add((reader.GetFieldValue<DateTimeOffset>(1) - at).TotalMilliseconds);
                done.Add((reader.GetFieldValue<DateTimeOffset>(2) - at).TotalMilliseconds);
            }
            Interlocked.Increment(ref _queries);
            return (start, done);
        }

        private async Task<T> ScalarAsync<T>(string sql, params object[] parameters)
        {
            await using var command = db.CreateCommand(sql);
            foreach (var p in parameters)
            {
                command.Parameters.AddWithValue(p);
            }
            var value = await command.ExecuteScalarAsync();
            Interlocked.Increment(ref _queries);
            return (T)value!;
        }
    }
}
