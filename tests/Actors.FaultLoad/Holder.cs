using Npgsql;

namespace Actors.FaultLoad;

/// <summary>
/// <c>hold --connection-string CS --seconds N --ready-file FILE</c>: another client that takes every
/// connection the PostgreSQL server will give (it connects as the database's superuser, so the reserved
/// slots too), ends the other backends of the database so the stack's idle pooled connections go as
/// well, and keeps taking the freed slots until it holds them all; writes the number it holds to FILE,
/// holds them N seconds, then lets them all go. Its connections go to the <c>postgres</c> database while
/// the target database refuses new connections (<c>ALLOW_CONNECTIONS false</c>, superusers included), so
/// the stack cannot take back the slots it frees; once it holds them all the database allows connections
/// again and the server refuses them for want of a slot (53300, too many clients).
/// </summary>
public static class Holder
{
    public static async Task<int> RunAsync(string connectionString, int seconds, string readyFile)
    {
        var target = new NpgsqlConnectionStringBuilder(connectionString);
        var database = target.Database ?? throw new ArgumentException("the connection string names no database");
        var builder = new NpgsqlConnectionStringBuilder(target.ConnectionString) { Database = "postgres", Pooling = false, Timeout = 3 };
        var held = new List<NpgsqlConnection>();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        int others;
        NpgsqlConnection first;
        while (true)
        {
            // A first slot (the stack may hold every one but the superuser's reserved ones for a moment).
            first = new NpgsqlConnection(builder.ConnectionString);
            try
            {
                await first.OpenAsync();
                break;
            }
            catch (NpgsqlException) when (DateTime.UtcNow < deadline)
            {
                await first.DisposeAsync();
                await Task.Delay(50);
            }
        }
        held.Add(first);
        var quoted = "\"" + database.Replace("\"", "\"\"") + "\"";
        async Task AllowConnectionsAsync(bool allow)
        {
            await using var cmd = new NpgsqlCommand($"ALTER DATABASE {quoted} ALLOW_CONNECTIONS {(allow ? "true" : "false")}", first);
            await cmd.ExecuteNonQueryAsync();
        }
        int max;
        await using (var cmd = new NpgsqlCommand("SELECT current_setting('max_connections')::int", first))
        {
            max = Convert.ToInt32(await cmd.ExecuteScalarAsync());
        }
        await AllowConnectionsAsync(false);
        try
        {
            while (held.Count < max && DateTime.UtcNow < deadline)
            {
                // End the target database's sessions (new ones are refused meanwhile), then take the freed slots
                // until the server refuses one.
                await using (var cmd = new NpgsqlCommand(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE backend_type = 'client backend' AND datname = $1 AND pid <> ALL($2)", first))
                {
                    cmd.Parameters.AddWithValue(database);
                    cmd.Parameters.AddWithValue(held.Select(h => h.ProcessID).ToArray());
                    await cmd.ExecuteScalarAsync();
                }
                while (held.Count < max)
                {
                    // Eight at a time: one by one, 300 connections take 15-20 s on a loaded machine.
                    var opening = Enumerable.Range(0, Math.Min(8, max - held.Count)).Select(async _ =>
                    {
                        var c = new NpgsqlConnection(builder.ConnectionString);
                        try
                        {
                            await c.OpenAsync();
                            return c;
                        }
                        catch (NpgsqlException)
                        {
                            await c.DisposeAsync();
                            return null;
                        }
                    }).ToList();
                    var opened = await Task.WhenAll(opening);
                    held.AddRange(opened.OfType<NpgsqlConnection>());
                    if (opened.Any(c => c is null)) break;
                }
                if (held.Count < max) await Task.Delay(50);
            }
        }
        finally
        {
            await AllowConnectionsAsync(true);
        }
        others = max - held.Count;
        await File.WriteAllTextAsync(readyFile, held.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Console.WriteLine($"holding {held.Count} of {max} connections ({others} slots held by others) for {seconds} s");
        await Task.Delay(TimeSpan.FromSeconds(seconds));
        foreach (var c in held) await c.DisposeAsync();
        Console.WriteLine("released");
        return others == 0 ? 0 : 1;
    }
}
