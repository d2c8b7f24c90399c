using Actors.Contracts.Jobs;
using Prometheus;

namespace Actors.Grains.Jobs;

/// <summary>The job engine's own series: runs by type and outcome, and state transitions.</summary>
public static class JobMetrics
{
    public static readonly Histogram Duration = Metrics.CreateHistogram(
        "job_processing_duration_seconds", "Duration of job runs, by type and outcome.",
        new HistogramConfiguration
        {
            LabelNames = ["type", "outcome"],
            Buckets = [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600],
        });

    public static readonly Counter Total = Metrics.CreateCounter(
        "jobs_total", "Job state transitions, by type and the status reached.",
        new CounterConfiguration { LabelNames = ["type", "status"] });

    /// <summary>A job of <paramref name="type"/> reached <paramref name="status"/> (queued, processing, retrying, or an end).</summary>
    public static void Reached(string type, string status) => Total.WithLabels(type, status).Inc();

    /// <summary>A run of <paramref name="type"/> ended with <paramref name="outcome"/> after <paramref name="elapsed"/>.</summary>
    public static void RunEnded(string type, JobOutcomeKind outcome, TimeSpan elapsed) =>
        Duration.WithLabels(type, outcome.ToString().ToLowerInvariant()).Observe(elapsed.TotalSeconds);
}
