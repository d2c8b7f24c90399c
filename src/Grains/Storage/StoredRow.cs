using Actors.Contracts;
using System.Diagnostics;

namespace Actors.Grains.Storage;

/// <summary>
/// The row of a grain that can be stored without its grain (a batch of jobs through JobIntakeGrain, a
/// CSV import of candidates in SQL): an activation that found no row reads again, at most once a second,
/// before it answers "absent".
/// </summary>
public sealed class StoredRow<T>(IPersistentState<T> state, Func<T, bool> isEntity)
{
    // When this activation last read its row.
    private long _readAt = Stopwatch.GetTimestamp();

    /// <summary>The row exists and holds an entity (not a blank state).</summary>
    public bool Exists => state.RecordExists && isEntity(state.State);

    /// <summary>Reads the row again if none was found, at most once a second.</summary>
    public async Task ReadIfAbsentAsync()
    {
        if (!Exists && Stopwatch.GetElapsedTime(_readAt) > TimeSpan.FromSeconds(1))
        {
            await state.ReadStateAsync();
            _readAt = Stopwatch.GetTimestamp();
        }
    }

    /// <summary>As <see cref="ReadIfAbsentAsync"/>, then refuses with 404 (<paramref name="entity"/> not found) when still absent.</summary>
    public async Task EnsureExistsAsync(string entity)
    {
        await ReadIfAbsentAsync();
        if (!Exists)
        {
            throw ActorsException.NotFound(entity);
        }
    }
}

/// <summary>How a domain grain writes its state.</summary>
public static class PersistentStateExtensions
{
    /// <summary>
    /// Writes the state; if the write fails the activation is dropped, so the next call reloads
    /// what is really stored instead of serving an in-memory change that never reached the database.
    /// </summary>
    public static async Task PersistAsync<T>(this IPersistentState<T> state, Grain grain)
    {
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            grain.DeactivateOnIdle();
            throw;
        }
    }
}
