using System.Threading.Channels;
using Npgsql;

namespace Actors.Data.Storage;

/// <summary>
/// Group commit for one table: the statements that arrive while earlier ones are in flight go
/// together as one <see cref="NpgsqlBatch"/>, one round trip and one implicit transaction, so a burst
/// of job grains writing at once pays one commit (one WAL flush) for the lot instead of one each. A
/// statement that finds a lane idle goes at once, alone: nothing waits for a batch to fill.
/// <para>
/// A batch is all or nothing (Npgsql sends one Sync at its end). When a statement errors (a
/// constraint, a deadlock), PostgreSQL rolled the whole batch back, so each statement runs again
/// alone and only the bad one fails. A statement's answer is given only after the batch committed.
/// </para>
/// <para>
/// Each lane writes the tables' counters into its own stripe, so two lanes of one process never
/// wait on the same counter row (and cannot deadlock on it); lanes of different processes may, and a
/// deadlock between them is one of the errors that the run-alone path absorbs.
/// </para>
/// </summary>
public sealed class GroupCommit : IDisposable
{
    public const int MaxBatch = 128;

    private readonly NpgsqlDataSource _db;
    private readonly Channel<Statement> _queue = Channel.CreateUnbounded<Statement>();

    /// <summary>A statement: its SQL, its parameters (given the lane's counter stripe) and how its answer is read.</summary>
    private sealed record Statement(
        string Sql,
        Action<NpgsqlParameterCollection, short> Bind,
        Func<NpgsqlDataReader, Task<object?>> Read,
        TaskCompletionSource<object?> Done);

    public GroupCommit(NpgsqlDataSource db, int lanes)
    {
        _db = db;
        var first = Random.Shared.Next(Counters.Stripes);
        for (var lane = 0; lane < lanes; lane++)
        {
            var stripe = (short)((first + lane) % Counters.Stripes);
            _ = Task.Run(() => LaneAsync(stripe));
        }
    }

    /// <summary>Runs one statement in the next batch; answers what <paramref name="read"/> made of its result.</summary>
    public async Task<TResult> RunAsync<TResult>(string sql, Action<NpgsqlParameterCollection, short> bind, Func<NpgsqlDataReader, Task<TResult>> read)
    {
        var done = new TaskCompletionSource<object?>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_queue.Writer.TryWrite(new Statement(sql, bind, async r => await read(r), done)))
        {
            throw new ObjectDisposedException(nameof(GroupCommit));
        }
        return (TResult)(await done.Task)!;
    }

    public void Dispose() => _queue.Writer.TryComplete();

    private async Task LaneAsync(short stripe)
    {
        var reader = _queue.Reader;
        var batch = new List<Statement>(MaxBatch);
        while (await reader.WaitToReadAsync())
        {
            while (batch.Count < MaxBatch && reader.TryRead(out var statement))
            {
                batch.Add(statement);
            }
            if (batch.Count == 0)
            {
                continue; // another lane took it
            }
            await FlushAsync(batch, stripe);
            batch.Clear();
        }
    }

    private async Task FlushAsync(List<Statement> batch, short stripe)
    {
        try
        {
            var results = await ExecuteAsync(batch, stripe);
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Done.TrySetResult(results[i]);
            }
        }
        catch (PostgresException) when (batch.Count > 1)
        {
            // The batch was rolled back whole: each statement again, alone, so only the bad one fails.
            foreach (var statement in batch)
            {
                await FlushAsync([statement], stripe);
            }
        }
        catch (Exception ex)
        {
            foreach (var statement in batch)
            {
                statement.Done.TrySetException(ex);
            }
        }
    }

    private async Task<object?[]> ExecuteAsync(List<Statement> batch, short stripe)
    {
        await using var connection = await _db.OpenConnectionAsync();
        await using var command = new NpgsqlBatch(connection);
        foreach (var statement in batch)
        {
            var one = new NpgsqlBatchCommand(statement.Sql);
            statement.Bind(one.Parameters, stripe);
            command.BatchCommands.Add(one);
        }
        var results = new object?[batch.Count];
        await using (var reader = await command.ExecuteReaderAsync())
        {
            for (var i = 0; i < batch.Count; i++)
            {
                results[i] = await batch[i].Read(reader);
                await reader.NextResultAsync();
            }
            // Closing reads to the end of the batch: the commit's answer (ReadyForQuery) included.
            await reader.CloseAsync();
        }
        return results;
    }
}
