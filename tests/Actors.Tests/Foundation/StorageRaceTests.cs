using Actors.Tests.Infrastructure;
using Npgsql;
using NpgsqlTypes;

namespace Actors.Tests.Foundation;

/// <summary>
/// Races first writes of one grain through the exact query text Orleans' ADO.NET provider runs
/// (read from <c>orleansquery</c>): the unique identity key must leave one row and one winner.
/// </summary>
public sealed class StorageRaceTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("tenant-ext")]
    public async Task ConcurrentFirstWritesOfOneGrainInsertOneRowAndOneWinner(string? extension)
    {
        await using var db = await TestDatabase.CreateAsync();
        var writeSql = await db.ScalarAsync<string>("SELECT querytext FROM orleansquery WHERE querykey = 'WriteToStorageKey'");
        Assert.NotNull(writeSql);

        const int writers = 48;
        using var start = new SemaphoreSlim(0);
        var tasks = Enumerable.Range(0, writers).Select(async i =>
        {
            await using var connection = new NpgsqlConnection(db.ConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(writeSql, connection);
            command.Parameters.AddWithValue("GrainIdHash", 42);
            command.Parameters.AddWithValue("GrainIdN0", 7L);
            command.Parameters.AddWithValue("GrainIdN1", 9L);
            command.Parameters.AddWithValue("GrainTypeHash", 11);
            command.Parameters.AddWithValue("GrainTypeString", "race");
            command.Parameters.Add(new NpgsqlParameter("GrainIdExtensionString", NpgsqlDbType.Varchar) { Value = (object?)extension ?? DBNull.Value });
            command.Parameters.AddWithValue("ServiceId", "svc");
            command.Parameters.Add(new NpgsqlParameter("GrainStateVersion", NpgsqlDbType.Integer) { Value = DBNull.Value });
            command.Parameters.Add(new NpgsqlParameter("PayloadBinary", NpgsqlDbType.Bytea) { Value = System.Text.Encoding.UTF8.GetBytes($"{{\"writer\":{i}}}") });
            await start.WaitAsync();
            var result = await command.ExecuteScalarAsync();
            return result is int version ? (int?)version : null;
        }).ToList();
        start.Release(writers);
        var versions = await Task.WhenAll(tasks);

        Assert.Single(versions, v => v is not null);
        Assert.Equal(1, versions.Single(v => v is not null));
        Assert.Equal(1L, await db.ScalarAsync<long>("SELECT count(*) FROM grain_state WHERE graintypestring = 'race'"));
    }

    /// <summary>
    /// The typed storage of the domain grains: 48 racing first writes of one candidate store one row
    /// and one counter increment; a stale activation's write (an old version) is refused, never applied.
    /// The same through a group commit, where the racing writes share batches (one transaction each).
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task TypedStorageRacingFirstWritesStoreOneRowAndAStaleWriteIsRefused(bool grouped)
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var source = Npgsql.NpgsqlDataSource.Create(db.ConnectionString);
        using var group = grouped ? new Actors.Data.Storage.GroupCommit(source, lanes: 2) : null;
        var table = new Actors.Data.Candidates.CandidateTable();
        var id = Guid.NewGuid();
        var grainId = GrainId.Create(GrainType.Create("candidate"), GrainIdKeyExtensions.CreateGuidKey(id, "race-t"));
        Actors.Data.Candidates.CandidateState State(string name) => new()
        {
            Id = id, TenantId = "race-t", CompanyName = name, ContactEmail = "r@x.example", Version = 1,
            CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow, RequestHash = "h",
            History = [new(DateTimeOffset.UtcNow, "t", "created", null, "pending", null)],
        };

        using var start = new SemaphoreSlim(0);
        var tasks = Enumerable.Range(0, 48).Select(async i =>
        {
            await start.WaitAsync();
            return await table.WriteAsync(source, group, grainId, State($"writer {i}"), null);
        }).ToList();
        start.Release(48);
        var versions = await Task.WhenAll(tasks);

        Assert.Equal(1L, Assert.Single(versions, v => v is not null));
        Assert.Equal("1|1|1", await db.ScalarAsync<string>(
            "SELECT (SELECT count(*) FROM candidates WHERE id = @id) || '|' || (SELECT count(*) FROM candidate_history WHERE candidate_id = @id) || '|' || " +
            "(SELECT sum(n) FROM counters WHERE tenant_id = 'race-t' AND kind = 'candidate.status')", ("id", id)));

        // Two activations both loaded version 1: the first write wins, the second is refused.
        var first = State("first") with { History = [], HistoryFlushed = 1, Status = Actors.Contracts.Candidates.CandidateStatus.Approved };
        var stale = State("stale") with { History = [], HistoryFlushed = 1, Status = Actors.Contracts.Candidates.CandidateStatus.Rejected };
        Assert.Equal(2L, await table.WriteAsync(source, group, grainId, first, 1));
        Assert.Null(await table.WriteAsync(source, group, grainId, stale, 1));
        Assert.Equal("first|approved|2", await db.ScalarAsync<string>(
            "SELECT company_name || '|' || status || '|' || version FROM candidates WHERE id = @id", ("id", id)));
        Assert.Equal("approved=1 pending=0", await db.ScalarAsync<string>(
            "SELECT string_agg(key || '=' || n, ' ' ORDER BY key) FROM (SELECT key, sum(n) n FROM counters WHERE tenant_id = 'race-t' AND kind = 'candidate.status' GROUP BY key) c"));
    }
}
