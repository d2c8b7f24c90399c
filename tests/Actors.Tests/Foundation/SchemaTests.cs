using Actors.Infrastructure.Database;
using Actors.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace Actors.Tests.Foundation;

public sealed class SchemaTests
{
    [Fact]
    public async Task MigrationsApplyOnceAndASecondRunChangesNothing()
    {
        await using var db = await TestDatabase.CreateAsync(migrate: false);
        var runner = new MigrationRunner(db.ConnectionString, NullLogger<MigrationRunner>.Instance);

        var first = await runner.MigrateAsync();
        var second = await runner.MigrateAsync();

        Assert.Equal(MigrationRunner.EmbeddedMigrations().Select(m => m.Name), first);
        Assert.Empty(second);
        Assert.Equal(first.Count, await db.ScalarAsync<long>("SELECT count(*) FROM schema_migrations"));
    }

    [Fact]
    public async Task ConcurrentRunnersMigrateExactlyOnce()
    {
        await using var db = await TestDatabase.CreateAsync(migrate: false);

        var runs = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ =>
            Task.Run(() => new MigrationRunner(db.ConnectionString, NullLogger<MigrationRunner>.Instance).MigrateAsync())));

        Assert.Equal(MigrationRunner.EmbeddedMigrations().Count, runs.Sum(r => r.Count));
    }

    [Fact]
    public async Task OrleansQueryHoldsEveryProviderKey()
    {
        await using var db = await TestDatabase.CreateAsync();
        string[] required =
        [
            "CleanupDefunctSiloEntriesKey", "GatewaysQueryKey", "MembershipReadAllKey", "MembershipReadRowKey",
            "InsertMembershipKey", "UpdateMembershipKey", "UpdateIAmAlivetimeKey", "InsertMembershipVersionKey",
            "DeleteMembershipTableEntriesKey", "WriteToStorageKey", "ReadFromStorageKey", "ClearStorageKey",
            "UpsertReminderRowKey", "ReadReminderRowsKey", "ReadReminderRowKey", "ReadRangeRows1Key",
            "ReadRangeRows2Key", "DeleteReminderRowKey", "DeleteReminderRowsKey",
        ];
        foreach (var key in required)
        {
            Assert.Equal(1L, await db.ScalarAsync<long>("SELECT count(*) FROM orleansquery WHERE querykey = @k", ("k", key)));
        }
    }
}
