using System.Text.Json;

namespace Actors.Grains.Jobs;

/// <summary>
/// <c>diagnostics.sleep</c>: works through <c>steps</c> steps of <c>step_ms</c> each, reporting
/// progress, and fails its first <c>fail_attempts</c> attempts. For operators to check the job
/// engine end to end (the seeds' debug task), and for the engine's own tests.
/// </summary>
public sealed class DiagnosticsSleepHandler : IJobHandler
{
    public string Type => "diagnostics.sleep";
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(10);
    public int DefaultMaxAttempts => 3;

    public IReadOnlyDictionary<string, string[]> Validate(JsonElement parameters)
    {
        var errors = new Dictionary<string, string[]>();
        Check(parameters, "steps", 0, 10_000, errors);
        Check(parameters, "step_ms", 0, 60_000, errors);
        Check(parameters, "fail_attempts", 0, 100, errors);
        return errors;
    }

    public async Task<object?> RunAsync(JobRun run, CancellationToken cancellationToken)
    {
        var steps = Read(run.Parameters, "steps", 1);
        var stepMs = Read(run.Parameters, "step_ms", 100);
        var failAttempts = Read(run.Parameters, "fail_attempts", 0);
        if (run.Attempt <= failAttempts)
        {
            throw new JobFailedException("diagnostic_failure", $"Failing attempt {run.Attempt} of the first {failAttempts} on purpose.");
        }
        for (var i = 1; i <= steps; i++)
        {
            await Task.Delay(stepMs, cancellationToken);
            run.ReportProgress(i, steps);
        }
        return new { steps, attempt = run.Attempt };
    }

    private static int Read(JsonElement parameters, string name, int fallback) =>
        parameters.ValueKind == JsonValueKind.Object && parameters.TryGetProperty(name, out var value)
        && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var n) ? n : fallback;

    private static void Check(JsonElement parameters, string name, int min, int max, Dictionary<string, string[]> errors)
    {
        if (parameters.ValueKind != JsonValueKind.Object || !parameters.TryGetProperty(name, out var value))
        {
            return;
        }
        // TryGetInt32 throws on a non-number (null, a string): check the kind first.
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var n) || n < min || n > max)
        {
            errors["parameters." + name] = [$"must be an integer between {min} and {max}"];
        }
    }
}
