using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Actors.Data.Tenants;
using Orleans.Storage;
using Actors.Data.Storage;

namespace Actors.Grains.Storage;

/// <summary>
/// The grain storage of the domain grains (<see cref="Name"/>): each state type is a row of its own
/// table (<see cref="StateTable{T}"/>), the row's <c>version</c> is the ETag. A write whose version no
/// longer matches (another activation wrote first, or a racing first write inserted the row) throws
/// <see cref="InconsistentStateException"/>; <see cref="PersistentStateExtensions.PersistAsync"/> then
/// drops the activation, so the next call reloads what is stored.
/// </summary>
public sealed class DomainGrainStorage(NpgsqlDataSource db, IEnumerable<IStateTable> tables) : IGrainStorage, IDisposable
{
    public const string Name = "domain";

    /// <summary>Batches in flight at once per grouped table: a few, so PostgreSQL works on more than one core.</summary>
    public const int Lanes = 4;

    private readonly Dictionary<Type, IStateTable> _tables = tables.ToDictionary(t => t.StateType);

    private readonly Dictionary<Type, GroupCommit> _groups = tables.Where(t => t.Grouped)
        .ToDictionary(t => t.StateType, _ => new GroupCommit(db, Lanes));

    public void Dispose()
    {
        foreach (var group in _groups.Values)
        {
            group.Dispose();
        }
    }

    private GroupCommit? Group<T>() => _groups.GetValueOrDefault(typeof(T));

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var table = Table<T>();
        if (await table.ReadAsync(db, Group<T>(), grainId, () => grainState.State ?? Activator.CreateInstance<T>()) is { } row)
        {
            grainState.State = row.State;
            grainState.ETag = row.Version.ToString(CultureInfo.InvariantCulture);
            grainState.RecordExists = true;
        }
        else
        {
            grainState.ETag = null;
            grainState.RecordExists = false;
        }
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        long? expected = grainState.ETag is null ? null : long.Parse(grainState.ETag, CultureInfo.InvariantCulture);
        var version = await Table<T>().WriteAsync(db, Group<T>(), grainId, grainState.State!, expected);
        if (version is null)
        {
            throw new InconsistentStateException(
                $"The stored {stateName} of {grainId} is not at version {grainState.ETag ?? "(none)"}: another activation wrote it.",
                "unknown", grainState.ETag ?? "");
        }
        grainState.ETag = version.Value.ToString(CultureInfo.InvariantCulture);
        grainState.RecordExists = true;
    }

    /// <summary>Domain rows are never cleared by a grain: retention and deletes are their own statements.</summary>
    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        throw new NotSupportedException($"{stateName} is never cleared; its grain marks it deleted.");

    private StateTable<T> Table<T>() =>
        _tables.TryGetValue(typeof(T), out var table)
            ? (StateTable<T>)table
            : throw new InvalidOperationException($"No state table for {typeof(T).Name}: register one with AddStateTable.");
}

public static class DomainStorageExtensions
{
    /// <summary>The domain storage and its tables (candidates, jobs, schedules, tenants, users).</summary>
    public static ISiloBuilder AddDomainStorage(this ISiloBuilder silo)
    {
        var services = silo.Services;
        services.AddActorsSecrets();
        services.AddSingleton<IStateTable, Data.Candidates.CandidateTable>();
        services.AddSingleton<IStateTable, Data.Jobs.JobTable>();
        services.AddSingleton<IStateTable, Data.Schedules.ScheduleTable>();
        services.AddSingleton<IStateTable, Data.Tenants.TenantTable>();
        services.AddSingleton<IStateTable, Data.Users.UserTable>();
        services.AddKeyedSingleton<IGrainStorage>(DomainGrainStorage.Name,
            (sp, _) => new DomainGrainStorage(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetServices<IStateTable>()));
        // Secrets stored in plain text by an earlier release are encrypted when a silo starts.
        silo.AddStartupTask(async (sp, _) =>
            await sp.GetRequiredService<SecretProtector>().EncryptPlainTextAsync());
        return silo;
    }
}
