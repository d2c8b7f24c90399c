using Npgsql;

namespace Actors.FaultLoad;

/// <summary>
/// <c>hold --connection-string CS --seconds N --ready-file FILE</c>: another client that takes every
/// connection the PostgreSQL server will give (it connects as the database's superuser, so the reserved
/// slots too), ends the other backends of the database so the stack's idle pooled connections go as
/// well, and keeps taking the freed slots until it holds them all; writes the number it holds to FILE,
/// holds them N seconds, then lets them all go.
/// </summary>
public static class Holder
{
    public static async Task<int> RunAsync(string connectionString, int seconds, string readyFile)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, Timeout = 3 };
        var held = new List<NpgsqlConnection>();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        var others = int.MaxValue;
        while (DateTime.UtcNow < deadline)
        {
            // Take slots until the server refuses one.
            while (true)
            {
                try
                {
                    var c = new NpgsqlConnection(builder.ConnectionString);
                    await c.OpenAsync();
                    held.Add(c);
                }
                catch (NpgsqlException)
                {
                    break;
                }
            }
            if (held.Count == 0) { await Task.Delay(50); continue; }
            await using (var cmd = new NpgsqlCommand(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> ALL($1)", held[0]))
            {
                cmd.Parameters.AddWithValue(held.Select(h => h.ProcessID).ToArray());
                others = Convert.ToInt32(await cmd.ExecuteScalarAsync());
            }
            if (others == 0) break;
        }
        await File.WriteAllTextAsync(readyFile, held.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Console.WriteLine($"holding {held.Count} connections ({others} others left) for {seconds} s");
        await Task.Delay(TimeSpan.FromSeconds(seconds));
        foreach (var c in held) await c.DisposeAsync();
        Console.WriteLine("released");
        return others == 0 ? 0 : 1;
    }
}
