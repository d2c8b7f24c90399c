using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Actors.Tests.Infrastructure;

/// <summary>
/// A real SMTP listener on loopback, enough of RFC 5321 for a client to deliver: recipients whose
/// address starts with "reject" are refused with 550; delivered messages are kept.
/// </summary>
public sealed class SmtpStub : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    public ConcurrentBag<(string[] Recipients, string Data)> Messages { get; } = new();

    /// <summary>When set, the connection is dropped (once) at the first MAIL after this many messages: a server lost mid-job.</summary>
    public int? HangUpOnceAfter { get; set; }
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public SmtpStub()
    {
        _listener.Start();
        _accepting = AcceptAsync();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (OperationCanceledException) { return; }
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        var stream = client.GetStream();
        using var reader = new StreamReader(stream, Encoding.ASCII);
        await using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
        await writer.WriteLineAsync("220 stub ESMTP");
        var recipients = new List<string>();
        while (await reader.ReadLineAsync() is { } line)
        {
            var verb = line.Split(' ', 2)[0].ToUpperInvariant();
            switch (verb)
            {
                case "EHLO" or "HELO":
                    await writer.WriteLineAsync("250 stub");
                    break;
                case "MAIL":
                    if (HangUpOnceAfter is { } after && Messages.Count >= after)
                    {
                        HangUpOnceAfter = null;
                        client.Client.Close(); // no reply, no QUIT: the client sees the connection die
                        return;
                    }
                    recipients.Clear();
                    await writer.WriteLineAsync("250 OK");
                    break;
                case "RCPT":
                    var address = line[(line.IndexOf('<') + 1)..line.IndexOf('>')];
                    if (address.StartsWith("reject", StringComparison.OrdinalIgnoreCase))
                    {
                        await writer.WriteLineAsync("550 no such user");
                    }
                    else
                    {
                        recipients.Add(address);
                        await writer.WriteLineAsync("250 OK");
                    }
                    break;
                case "DATA":
                    await writer.WriteLineAsync("354 end with .");
                    var data = new StringBuilder();
                    while (await reader.ReadLineAsync() is { } dataLine && dataLine != ".")
                    {
                        data.AppendLine(dataLine);
                    }
                    Messages.Add((recipients.ToArray(), data.ToString()));
                    await writer.WriteLineAsync("250 queued");
                    break;
                case "QUIT":
                    await writer.WriteLineAsync("221 bye");
                    return;
                default:
                    await writer.WriteLineAsync("250 OK");
                    break;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try { await _accepting; } catch (OperationCanceledException) { }
        _stop.Dispose();
    }
}
