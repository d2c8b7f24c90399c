using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Actors.FaultLoad;

/// <summary>
/// The steady write load of the fault test. Each client creates candidates one after the other, each
/// carrying a unique sequence number as its Idempotency-Key and in its company name. A 503 (which must
/// carry Retry-After) or a 429 is retried with the same key after Retry-After (capped); any other
/// failure, and any answer slower than the hang limit, is counted as a failure. The script names the
/// current phase in the file <c>phase</c> of the work folder and ends the run by creating <c>stop</c>.
/// Writes <c>acked.txt</c> (every sequence number answered 201) and <c>summary.json</c> there.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var o = Options.Parse(args);
        using var http = new HttpClient { BaseAddress = new Uri(o.Api), Timeout = TimeSpan.FromSeconds(o.HttpTimeoutSeconds) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", o.Token);
        var run = new Run(o);
        var clients = Enumerable.Range(0, o.Clients).Select(i => run.ClientAsync(http, i)).ToList();
        await Task.WhenAll(clients);
        await run.WriteAsync();
        return 0;
    }
}

public sealed record Options(string Api, string Token, string Dir, int Clients, int PauseMs, int RetryAfterCapMs, int HttpTimeoutSeconds, int HangMs)
{
    public static Options Parse(string[] args)
    {
        var map = new Dictionary<string, string>();
        for (var i = 0; i + 1 < args.Length; i += 2) map[args[i].TrimStart('-')] = args[i + 1];
        string Get(string k, string? d = null) => map.TryGetValue(k, out var v) ? v : d ?? throw new ArgumentException($"--{k} is required");
        int Int(string k, int d) => int.Parse(Get(k, d.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
        return new Options(Get("api"), Get("token"), Get("dir"), Int("clients", 4), Int("pause-ms", 40),
            Int("retry-after-cap-ms", 1000), Int("http-timeout-s", 30), Int("hang-ms", 25000));
    }
}

public sealed class PhaseStats
{
    public long Ok { get; set; }
    public long Unavailable503 { get; set; }
    public long RateLimited429 { get; set; }
    public long Failures { get; set; }
    public long MaxLatencyMs { get; set; }
    /// <summary>Longest time from a client's first failed answer to its next success.</summary>
    public long MaxFailureGapMs { get; set; }
    /// <summary>Longest time between two successes of one client (hidden retries included).</summary>
    public long MaxSuccessIntervalMs { get; set; }
    public List<string> FailureSamples { get; } = [];
}

public sealed class Run(Options o)
{
    private long _sequence;
    private readonly ConcurrentBag<long> _acked = [];
    private readonly Dictionary<string, PhaseStats> _phases = [];
    private readonly Lock _lock = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private string _phase = "warmup";

    private bool Stopping => File.Exists(Path.Combine(o.Dir, "stop"));

    /// <summary>Read before every request, so a request is counted in the phase it was sent in.</summary>
    private string Phase()
    {
        try
        {
            var text = File.ReadAllText(Path.Combine(o.Dir, "phase")).Trim();
            if (text.Length > 0) _phase = text;
        }
        catch (IOException) { }
        return _phase;
    }

    private void Record(string phase, Action<PhaseStats> update)
    {
        lock (_lock)
        {
            if (!_phases.TryGetValue(phase, out var s)) _phases[phase] = s = new PhaseStats();
            update(s);
        }
    }

    public async Task ClientAsync(HttpClient http, int client)
    {
        long? lastSuccess = null;
        while (!Stopping)
        {
            var seq = Interlocked.Increment(ref _sequence);
            long? firstFailure = null;
            string? failurePhase = null;
            // The same sequence number (same key, same body) until it is acknowledged or the run stops.
            while (true)
            {
                var phase = Phase();
                var started = _clock.ElapsedMilliseconds;
                var (status, retryAfter, detail) = await SendAsync(http, seq);
                var ended = _clock.ElapsedMilliseconds;
                var latency = ended - started;
                Record(phase, s => s.MaxLatencyMs = Math.Max(s.MaxLatencyMs, latency));
                var hang = latency > o.HangMs;
                if (status == 201 && !hang)
                {
                    _acked.Add(seq);
                    var gapPhase = failurePhase ?? phase;
                    Record(phase, s =>
                    {
                        s.Ok++;
                        if (lastSuccess is { } last) s.MaxSuccessIntervalMs = Math.Max(s.MaxSuccessIntervalMs, ended - last);
                    });
                    if (firstFailure is { } f) Record(gapPhase, s => s.MaxFailureGapMs = Math.Max(s.MaxFailureGapMs, ended - f));
                    lastSuccess = ended;
                    break;
                }
                if (status == 201)
                {
                    _acked.Add(seq); // written, but too slow: a hang
                }
                firstFailure ??= started;
                failurePhase ??= phase;
                var expected = (status is 503 or 429) && retryAfter is not null && !hang;
                Record(phase, s =>
                {
                    if (status == 503) s.Unavailable503++;
                    if (status == 429) s.RateLimited429++;
                    if (!expected)
                    {
                        s.Failures++;
                        if (s.FailureSamples.Count < 20)
                            s.FailureSamples.Add($"t={started / 1000.0:F1}s client {client} seq {seq}: {(hang ? $"hang {latency} ms, " : "")}status {status} {(status is 503 or 429 && retryAfter is null ? "without Retry-After " : "")}{detail}");
                    }
                });
                if (status == 201 || Stopping)
                {
                    break;
                }
                var wait = Math.Min(o.RetryAfterCapMs, (retryAfter ?? 1) * 1000);
                await Task.Delay(wait);
            }
            if (o.PauseMs > 0) await Task.Delay(o.PauseMs);
        }
    }

    private static async Task<(int Status, int? RetryAfter, string Detail)> SendAsync(HttpClient http, long seq)
    {
        var body = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["company_name"] = $"fault-{seq}",
            ["contact_email"] = $"c{seq}@fault.example",
            ["products"] = new[] { "fault" },
        });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/candidates") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("Idempotency-Key", $"fault-{seq}");
        try
        {
            using var response = await http.SendAsync(request);
            int? retryAfter = response.Headers.RetryAfter?.Delta is { } d ? (int)d.TotalSeconds : null;
            var detail = (int)response.StatusCode is 201 or 503 ? "" : Truncate(await response.Content.ReadAsStringAsync());
            return ((int)response.StatusCode, retryAfter, detail);
        }
        catch (TaskCanceledException)
        {
            return (0, null, "HTTP timeout");
        }
        catch (HttpRequestException ex)
        {
            return (0, null, "HTTP error: " + ex.Message);
        }
    }

    private static string Truncate(string s) => s.Length > 300 ? s[..300] : s;

    public async Task WriteAsync()
    {
        await File.WriteAllLinesAsync(Path.Combine(o.Dir, "acked.txt"), _acked.Order().Select(s => s.ToString(CultureInfo.InvariantCulture)));
        var json = JsonSerializer.Serialize(new { sent = _sequence, acked = _acked.Count, phases = _phases },
            new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower });
        await File.WriteAllTextAsync(Path.Combine(o.Dir, "summary.json"), json);
    }
}
