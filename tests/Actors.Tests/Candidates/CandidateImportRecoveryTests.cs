using System.Net;
using Actors.Contracts;
using Actors.Tests.Infrastructure;

namespace Actors.Tests.Candidates;

public sealed class CandidateImportRecoveryTests
{
    [Fact]
    public async Task AnImportWhoseSiloIsKilledResumesFromItsCheckpointWithNoDuplicateAndNoGap()
    {
        await using var db = await TestDatabase.CreateAsync();
        // Small batches with a pause between them: the import is still going when the silo dies.
        await using var cluster = await ActorsCluster.StartAsync(db, silos: 2, new Dictionary<string, string?>
        {
            ["Imports:BatchRows"] = "100",
            ["Imports:PauseBetweenBatches"] = "00:00:00.040",
        });
        await using var api = new ApiHost(db.ConnectionString, cluster.Options.ClusterId);
        using var http = api.StartHttp();
        await Wait.UntilAsync(async () => (await http.GetAsync("/readyz")).IsSuccessStatusCode, TimeSpan.FromSeconds(60), "API ready");
        var s = await Scenario.StartAsync(http);
        var tenant = await s.CreateTenantAsync(new { max_candidates = 100_000 });
        var token = await s.UserTokenAsync(tenant, "reviewer");

        const int records = 6_000;
        var lines = Enumerable.Range(1, records).Select(i => i % 100 == 0 ? $"Refused {i},not-an-email" : $"Company {i},c{i}@example.com");
        var csv = "company_name,contact_email\n" + string.Join("\n", lines) + "\n";
        var response = await http.SendAsync(CandidateImportTests.Upload(token, csv));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await response.JsonAsync()).GetProperty("id").GetGuid();

        await using var dataSource = Npgsql.NpgsqlDataSource.Create(db.ConnectionString);
        Task<int> CheckpointAsync() => db.ScalarAsync<int>("SELECT next_seq FROM candidate_imports WHERE id = @id", ("id", id));
        await Wait.UntilAsync(async () => await CheckpointAsync() > 1_000, TimeSpan.FromSeconds(30), "the import is under way");
        var management = cluster.Client.GetGrain<IManagementGrain>(0);
        Orleans.TestingHost.SiloHandle? victim = null;
        foreach (var silo in cluster.Silos)
        {
            var stats = await management.GetDetailedGrainStatistics(null, [silo.SiloAddress]);
            if (stats.Any(g => g.GrainType.Contains("JobGrain", StringComparison.Ordinal))) victim = silo;
        }
        Assert.NotNull(victim);

        // Hold the import's row: the run's next batch waits on it, holding its staged rows. A silo of the
        // test cluster lives in this process, so its run could go on after the kill; its connection is
        // cut, as a real process's would be, and the batch it was in rolls back.
        await using (var blocker = await dataSource.OpenConnectionAsync())
        await using (var transaction = await blocker.BeginTransactionAsync())
        {
            await using (var hold = new Npgsql.NpgsqlCommand("SELECT next_seq FROM candidate_imports WHERE id = $1 FOR UPDATE", blocker, transaction))
            {
                hold.Parameters.Add(new Npgsql.NpgsqlParameter { Value = id });
                Assert.True((int)(await hold.ExecuteScalarAsync())! <= records, "the import had finished before the kill");
            }
            const string Waiting = "FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%candidate_import_rows%'";
            await Wait.UntilAsync(async () => await db.ScalarAsync<long>("SELECT count(*) " + Waiting) == 1, TimeSpan.FromSeconds(10),
                "the run's batch waits on the held row");
            await cluster.KillSiloAsync(victim);
            // Killing the silo may already have closed its connections; what is left of them is cut here.
            await db.ScalarAsync<long>("SELECT count(*) FROM (SELECT pg_terminate_backend(pid) " + Waiting + ") t");
            await transaction.RollbackAsync();
        }
        await cluster.WaitForLivenessToStabilizeAsync();

        var job = await WaitForJobAsync(http, token, id);
        Assert.Equal("completed", job.GetProperty("status").GetString());
        // Its batch was rolled back with its connection, so completing at all means it ran again: as attempt 2, or
        // as attempt 1 again when the in-process silo deactivated the grain on its way down and handed the job back
        // uncounted, as a graceful stop does (seen once on a loaded machine).
        Assert.InRange(job.GetProperty("attempts").GetInt32(), 1, 3);
        var result = job.GetProperty("result");
        Assert.Equal(records, result.GetProperty("total").GetInt32());
        Assert.Equal(records - records / 100, result.GetProperty("imported").GetInt32());
        Assert.Equal(0, result.GetProperty("already_imported").GetInt32());
        Assert.Equal(records / 100, result.GetProperty("invalid").GetInt32());
        Assert.Equal(Enumerable.Range(1, records / 100).Select(i => i * 100 + 1),
            result.GetProperty("invalid_rows").EnumerateArray().Select(r => r.GetProperty("line").GetInt32()));

        // Exactly the accepted records, each once: the ids derive from the import and the line.
        var expected = Enumerable.Range(1, records).Where(i => i % 100 != 0)
            .Select(i => StableId.Create("import", id.ToString(), (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture))).ToHashSet();
        var stored = new HashSet<Guid>();
        await using (var command = dataSource.CreateCommand("SELECT id FROM candidates WHERE tenant_id = $1"))
        {
            command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = tenant });
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync()) stored.Add(reader.GetGuid(0));
        }
        Assert.True(expected.SetEquals(stored), $"stored {stored.Count}, expected {expected.Count}: missing {expected.Except(stored).Count()}, extra {stored.Except(expected).Count()}");
        Assert.Equal((long)expected.Count, await db.ScalarAsync<long>(
            "SELECT coalesce(sum(n), 0)::bigint FROM counters WHERE tenant_id = @t AND kind = 'candidate.status'", ("t", tenant)));
        Assert.Equal((long)expected.Count, await db.ScalarAsync<long>(
            "SELECT count(*) FROM candidate_history h JOIN candidates c ON c.id = h.candidate_id WHERE c.tenant_id = @t", ("t", tenant)));
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM candidate_import_rows WHERE import_id = @id", ("id", id)));
    }

    private static async Task<System.Text.Json.JsonElement> WaitForJobAsync(HttpClient http, string token, Guid id)
    {
        System.Text.Json.JsonElement body = default;
        await Wait.UntilAsync(async () =>
        {
            var response = await http.SendAsync(HttpMethod.Get, $"/jobs/{id}", token);
            if (response.StatusCode != HttpStatusCode.OK) return false;   // 503 while the cluster settles
            body = await response.JsonAsync();
            return body.GetProperty("status").GetString() is "completed" or "failed";
        }, TimeSpan.FromSeconds(90), "the import completes after the kill");
        return body;
    }
}
