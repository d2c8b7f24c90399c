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
}
