namespace Actors.Grains;

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
