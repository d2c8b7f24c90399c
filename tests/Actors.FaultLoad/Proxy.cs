using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace Actors.FaultLoad;

/// <summary>
/// <c>proxy --listen PORT --target PORT --delay-file FILE</c>: a TCP proxy on 127.0.0.1 that holds every
/// chunk going from a client to the target for the number of milliseconds written in FILE (0 or absent:
/// none), so each PostgreSQL round trip takes that much longer; answers pass at once. Chunks keep their
/// order and are not serialized behind each other's delay (a latency, not a bandwidth limit). The kernel
/// here has no netem; this stands in for it. Runs until killed.
/// </summary>
public static class Proxy
{
    private static volatile int s_delayMs;

    public static async Task<int> RunAsync(int listen, int target, string? delayFile)
    {
        _ = Task.Run(async () =>
        {
            while (delayFile is not null)
            {
                try
                {
                    s_delayMs = File.Exists(delayFile) && int.TryParse(File.ReadAllText(delayFile).Trim(), out var ms) ? ms : 0;
                }
                catch (IOException) { }
                await Task.Delay(50);
            }
        });
        var listener = new TcpListener(IPAddress.Loopback, listen);
        listener.Start(512);
        Console.WriteLine($"proxy 127.0.0.1:{listen} -> 127.0.0.1:{target}");
        while (true)
        {
            var client = await listener.AcceptTcpClientAsync();
            _ = Task.Run(() => PipeAsync(client, target));
        }
    }

    private static async Task PipeAsync(TcpClient client, int target)
    {
        using var c = client;
        using var server = new TcpClient();
        c.NoDelay = true;
        server.NoDelay = true;
        try
        {
            await server.ConnectAsync(IPAddress.Loopback, target);
        }
        catch (SocketException)
        {
            return;
        }
        using var cts = new CancellationTokenSource();
        var up = DelayedCopyAsync(c.GetStream(), server.GetStream(), cts.Token);
        var down = CopyAsync(server.GetStream(), c.GetStream(), cts.Token);
        await Task.WhenAny(up, down);
        await cts.CancelAsync();
        c.Close();
        server.Close();
        try { await Task.WhenAll(up, down); } catch (Exception) { }
    }

    private static async Task CopyAsync(NetworkStream from, NetworkStream to, CancellationToken ct)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            int n;
            while ((n = await from.ReadAsync(buffer, ct)) > 0) await to.WriteAsync(buffer.AsMemory(0, n), ct);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or SocketException) { }
    }

    private static async Task DelayedCopyAsync(NetworkStream from, NetworkStream to, CancellationToken ct)
    {
        var queue = Channel.CreateUnbounded<(long Due, byte[] Data)>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var writer = Task.Run(async () =>
        {
            try
            {
                await foreach (var (due, data) in queue.Reader.ReadAllAsync(ct))
                {
                    var wait = due - Environment.TickCount64;
                    if (wait > 0) await Task.Delay((int)wait, ct);
                    await to.WriteAsync(data, ct);
                }
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or SocketException) { }
        }, ct);
        var buffer = new byte[64 * 1024];
        try
        {
            int n;
            while ((n = await from.ReadAsync(buffer, ct)) > 0)
            {
                queue.Writer.TryWrite((Environment.TickCount64 + s_delayMs, buffer.AsSpan(0, n).ToArray()));
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or SocketException) { }
        queue.Writer.TryComplete();
        await writer;
    }
}
