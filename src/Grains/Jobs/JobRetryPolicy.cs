using Actors.Infrastructure.Jobs;
using Actors.Data.Jobs;

namespace Actors.Grains.Jobs;

/// <summary>When a failed attempt is tried again, and after how long.</summary>
public static class JobRetryPolicy
{
    /// <summary>A retryable failure is retried while attempts remain, unless a cancel was asked for.</summary>
    public static bool Retries(JobState job, bool retryable) =>
        retryable && job.Attempts < job.MaxAttempts && !job.CancelRequested;

    /// <summary>
    /// Exponential backoff with equal jitter: <see cref="JobOptions.RetryBaseDelay"/> doubled per attempt
    /// after the first, capped at <see cref="JobOptions.MaxRetryDelay"/>; half of it fixed, half random.
    /// </summary>
    public static TimeSpan Delay(JobOptions options, int attempts)
    {
        var exponential = options.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, Math.Max(0, attempts - 1));
        var capped = Math.Min(exponential, options.MaxRetryDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(capped / 2 + Random.Shared.NextDouble() * capped / 2);
    }
}
