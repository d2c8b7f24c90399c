using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Actors.FaultLoad;

/// <summary>
/// The steady load of the system fault tests. Each client sends requests one after the other; with
/// <c>--mix create</c> (the default) every request creates a candidate carrying a unique sequence number as its
/// Idempotency-Key and in its company name; with <c>--mix soak</c> the clients also read candidates, approve
/// them (Idempotency-Key <c>approve-&lt;id&gt;</c>) and submit job batches (a key per job). A 503 (which must carry
/// Retry-After) or a 429 is retried with the same key and body after Retry-After (capped); any other answer
/// than the operation's success, and any answer slower than <c>--hang-ms</c>, is a failure. The script names the
/// current phase in the file <c>phase</c> of the work folder and ends the run by creating <c>stop</c>.
/// Writes there <c>acked.txt</c> (every sequence number answered 201), <c>approved.txt</c> (candidates whose
/// approval was acknowledged), <c>jobs.txt</c> (job ids acknowledged in batches) and <c>summary.json</c>.
/// <c>--rate R</c> paces the clients to R requests/s in all (0: each waits <c>--pause-ms</c> after an answer).
/// Other modes: <c>proxy</c> (<see cref="Proxy"/>), <c>hold</c> (<see cref="Holder"/>) and <c>verify</c> (<see cref="Verify"/>).
/// </summary>
public static class Program
{
    public static Task<int> Main(string[] args) => Cli.Build().Parse(args).InvokeAsync();

    /// <summary>The load: <see cref="Options.Clients"/> clients until the file <c>stop</c> appears, then the files of the run.</summary>
    public static async Task<int> LoadAsync(Options o)
    {
        using var http = new HttpClient { BaseAddress = new Uri(o.Api), Timeout = TimeSpan.FromSeconds(o.HttpTimeoutSeconds) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", o.Token);
        var run = new Run(o);
        var clients = Enumerable.Range(0, o.Clients).Select(i => run.ClientAsync(http, i)).ToList();
        await Task.WhenAll(clients);
        await run.WriteAsync();
        return 0;
    }
}

/// <summary>The load's settings (see <see cref="Cli"/> for each option).</summary>
public sealed record Options(string Api, string Token, string Dir, int Clients, int PauseMs, int RetryAfterCapMs, int HttpTimeoutSeconds, int HangMs,
    string Mix, double Rate, int JobsPerBatch, int WindowSeconds);

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
    /// <summary>Answers by operation and status (<c>create 201</c>, <c>read 503</c>, <c>approve 0</c> for no answer).</summary>
    public SortedDictionary<string, long> Statuses { get; } = [];
    public List<string> FailureSamples { get; } = [];
}

public sealed class Run(Options o)
{
    private long _sequence;
    private long _batches;
    private readonly ConcurrentBag<long> _acked = [];
    private readonly ConcurrentBag<Guid> _approved = [];
    private readonly ConcurrentBag<Guid> _jobs = [];
    private readonly ConcurrentQueue<Guid> _toApprove = new();
    private readonly List<Guid> _created = [];
    private readonly Dictionary<string, PhaseStats> _phases = [];
    /// <summary>Latencies of successful requests, by second since the start, for the soak's percentiles.</summary>
    private readonly List<(long AtMs, int LatencyMs, string Phase)> _latencies = [];
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

    private const int HotSet = 2000;

    private enum Op { Create, Read, Approve, Batch }

    /// <summary>The soak's mix: 50% reads (of the first <see cref="HotSet"/> candidates), 20% approves, 25% creates, 5% job batches
    /// (no read or approve before there is a candidate).</summary>
    private Op Next(Random random)
    {
        if (o.Mix != "soak") return Op.Create;
        var r = random.Next(100);
        if (r < 5) return Op.Batch;
        if (r < 30) return Op.Create;
        if (r < 50) return _toApprove.IsEmpty ? Op.Create : Op.Approve;
        lock (_lock) return _created.Count == 0 ? Op.Create : Op.Read;
    }

    public async Task ClientAsync(HttpClient http, int client)
    {
        long? lastSuccess = null;
        var random = new Random(client * 7919 + 17);
        var interval = o.Rate > 0 ? TimeSpan.FromSeconds(o.Clients / o.Rate) : TimeSpan.Zero;
        var due = _clock.Elapsed + TimeSpan.FromMilliseconds(random.Next((int)Math.Max(1, interval.TotalMilliseconds)));
        while (!Stopping)
        {
            if (o.Rate > 0)
            {
                var wait = due - _clock.Elapsed;
                if (wait > TimeSpan.Zero) await Task.Delay(wait);
                // Behind schedule (after a stall) the client does not burst to catch up.
                due = TimeSpan.FromTicks(Math.Max(due.Ticks, (_clock.Elapsed - interval).Ticks)) + interval;
            }
            var op = Next(random);
            Func<Task<(int Status, int? RetryAfter, string Detail)>> send;
            Action onSuccess;
            string name;
            switch (op)
            {
                case Op.Read:
                {
                    Guid id;
                    // A hot set: the first HotSet candidates created (reads of everything ever created would keep
                    // an ever larger share of them active, which is not the memory the soak watches).
                    lock (_lock) id = _created[random.Next(Math.Min(_created.Count, HotSet))];
                    name = "read";
                    send = () => SendAsync(http, HttpMethod.Get, $"/candidates/{id}", null, null, 200, null);
                    onSuccess = () => { };
                    break;
                }
                case Op.Approve:
                {
                    if (!_toApprove.TryDequeue(out var id)) continue;
                    name = "approve";
                    send = () => SendAsync(http, HttpMethod.Post, $"/candidates/{id}/approve", null, $"approve-{id}", 200, null);
                    onSuccess = () => _approved.Add(id);
                    break;
                }
                case Op.Batch:
                {
                    var b = Interlocked.Increment(ref _batches);
                    var jobs = Enumerable.Range(0, o.JobsPerBatch).Select(i => new Dictionary<string, object>
                    {
                        ["type"] = "diagnostics.sleep",
                        ["parameters"] = new Dictionary<string, int> { ["steps"] = 1, ["step_ms"] = 10 },
                        ["idempotency_key"] = $"soak-job-{b}-{i}",
                    }).ToList();
                    var body = JsonSerializer.Serialize(new { jobs });
                    name = "batch";
                    var ids = new List<Guid>();
                    send = () => SendAsync(http, HttpMethod.Post, "/jobs/batch", body, null, 200, json =>
                    {
                        ids.Clear();
                        foreach (var item in json.GetProperty("items").EnumerateArray())
                        {
                            if (item.TryGetProperty("id", out var jid) && jid.ValueKind == JsonValueKind.String) ids.Add(jid.GetGuid());
                        }
                        return ids.Count == o.JobsPerBatch ? null : $"batch: {ids.Count} of {o.JobsPerBatch} items accepted: {Truncate(json.GetRawText())}";
                    });
                    onSuccess = () => { foreach (var id in ids) _jobs.Add(id); };
                    break;
                }
                default:
                {
                    var seq = Interlocked.Increment(ref _sequence);
                    var body = JsonSerializer.Serialize(new Dictionary<string, object>
                    {
                        ["company_name"] = $"fault-{seq}",
                        ["contact_email"] = $"c{seq}@fault.example",
                        ["products"] = new[] { "fault" },
                    });
                    name = "create";
                    Guid created = Guid.Empty;
                    send = () => SendAsync(http, HttpMethod.Post, "/candidates", body, $"fault-{seq}", 201, json =>
                    {
                        created = json.GetProperty("id").GetGuid();
                        return null;
                    });
                    onSuccess = () =>
                    {
                        _acked.Add(seq);
                        if (o.Mix != "soak") return;
                        lock (_lock) _created.Add(created);
                        if (random.Next(2) == 0) _toApprove.Enqueue(created);
                    };
                    break;
                }
            }
            long? firstFailure = null;
            string? failurePhase = null;
            // The same request (same key, same body) until it is acknowledged or the run stops.
            while (true)
            {
                var phase = Phase();
                var started = _clock.ElapsedMilliseconds;
                var (status, retryAfter, detail) = await send();
                var ended = _clock.ElapsedMilliseconds;
                var latency = ended - started;
                var success = status is 200 or 201 && detail.Length == 0;
                Record(phase, s =>
                {
                    s.MaxLatencyMs = Math.Max(s.MaxLatencyMs, latency);
                    var k = $"{name} {status}";
                    s.Statuses[k] = s.Statuses.GetValueOrDefault(k) + 1;
                });
                var hang = latency > o.HangMs;
                if (success)
                {
                    onSuccess(); // written, even if too slow (a hang is counted below)
                }
                if (success && !hang)
                {
                    var gapPhase = failurePhase ?? phase;
                    Record(phase, s =>
                    {
                        s.Ok++;
                        if (lastSuccess is { } last) s.MaxSuccessIntervalMs = Math.Max(s.MaxSuccessIntervalMs, ended - last);
                        _latencies.Add((started, (int)latency, phase));
                    });
                    if (firstFailure is { } f) Record(gapPhase, s => s.MaxFailureGapMs = Math.Max(s.MaxFailureGapMs, ended - f));
                    lastSuccess = ended;
                    break;
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
                            s.FailureSamples.Add($"t={started / 1000.0:F1}s client {client} {name}: {(hang ? $"hang {latency} ms, " : "")}status {status} {(status is 503 or 429 && retryAfter is null ? "without Retry-After " : "")}{detail}");
                    }
                });
                // A refusal (4xx other than 429) would be refused again: counted, and the client moves on.
                if (success || Stopping || status is >= 400 and < 500 and not 429)
                {
                    break;
                }
                var pause = Math.Min(o.RetryAfterCapMs, (retryAfter ?? 1) * 1000);
                await Task.Delay(pause);
            }
            if (o.Rate <= 0 && o.PauseMs > 0) await Task.Delay(o.PauseMs);
        }
    }

    /// <summary>Sends one request; an answer with the expected status whose body <paramref name="check"/> refuses is a failure with that detail.</summary>
    private static async Task<(int Status, int? RetryAfter, string Detail)> SendAsync(HttpClient http, HttpMethod method, string path, string? body,
        string? key, int expected, Func<JsonElement, string?>? check)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        if (key is not null) request.Headers.Add("Idempotency-Key", key);
        try
        {
            using var response = await http.SendAsync(request);
            var status = (int)response.StatusCode;
            int? retryAfter = response.Headers.RetryAfter?.Delta is { } d ? (int)d.TotalSeconds : null;
            var text = await response.Content.ReadAsStringAsync();
            if (status == expected)
            {
                if (check is null) return (status, retryAfter, "");
                using var doc = JsonDocument.Parse(text);
                return (status, retryAfter, check(doc.RootElement) ?? "");
            }
            return (status, retryAfter, status == 503 ? "" : Truncate(text));
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

    private static double Percentile(List<int> sorted, double p) =>
        sorted.Count == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

    public async Task WriteAsync()
    {
        await File.WriteAllLinesAsync(Path.Combine(o.Dir, "acked.txt"), _acked.Order().Select(s => s.ToString(CultureInfo.InvariantCulture)));
        await File.WriteAllLinesAsync(Path.Combine(o.Dir, "approved.txt"), _approved.Select(s => s.ToString()));
        await File.WriteAllLinesAsync(Path.Combine(o.Dir, "jobs.txt"), _jobs.Select(s => s.ToString()));
        // The soak's latency windows: the first and the last --window-s seconds of phase "measure", and each minute.
        var measured = _latencies.Where(l => l.Phase == "measure").ToList();
        object? windows = null;
        if (measured.Count > 0)
        {
            var start = measured.Min(l => l.AtMs);
            var end = measured.Max(l => l.AtMs);
            var w = o.WindowSeconds * 1000L;
            var first = measured.Where(l => l.AtMs < start + w).Select(l => l.LatencyMs).Order().ToList();
            var last = measured.Where(l => l.AtMs > end - w).Select(l => l.LatencyMs).Order().ToList();
            var minutes = measured.GroupBy(l => (l.AtMs - start) / 60000).OrderBy(g => g.Key).Select(g =>
            {
                var sorted = g.Select(l => l.LatencyMs).Order().ToList();
                return new { minute = g.Key, requests = sorted.Count, p50_ms = Percentile(sorted, 0.5), p99_ms = Percentile(sorted, 0.99) };
            }).ToList();
            windows = new
            {
                window_s = o.WindowSeconds,
                first = new { requests = first.Count, p50_ms = Percentile(first, 0.5), p99_ms = Percentile(first, 0.99) },
                last = new { requests = last.Count, p50_ms = Percentile(last, 0.5), p99_ms = Percentile(last, 0.99) },
                minutes,
            };
        }
        var json = JsonSerializer.Serialize(new { sent = _sequence, acked = _acked.Count, approved = _approved.Count, jobs = _jobs.Count, phases = _phases, windows },
            new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower });
        await File.WriteAllTextAsync(Path.Combine(o.Dir, "summary.json"), json);
    }
}
