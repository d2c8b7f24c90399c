using Actors.Contracts.Jobs;
using Actors.Contracts;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Actors.Grains.Jobs;

/// <summary>
/// One run of a job's handler, off the grain's turn (so status, progress and cancel are answered while
/// the handler works). The run ends by reporting its <see cref="JobOutcome"/> through the grain's own
/// mailbox (<see cref="IJobGrain.FinishAsync"/>); the grain keeps the run in memory until then.
/// </summary>
internal sealed class JobRunner : IDisposable
{
    private readonly CancellationTokenSource _cts = new();
    private readonly long _startedTimestamp = Stopwatch.GetTimestamp();

    private JobRunner(JobRun run) => Run = run;

    /// <summary>What the handler reports (progress), published by the grain's heartbeats.</summary>
    public JobRun Run { get; }

    /// <summary>
    /// Random, not a per-activation counter: a run cancelled by a graceful hand-back still reports
    /// through the grain's mailbox, and must not end the run a new activation elsewhere started.
    /// </summary>
    public int Id { get; } = Random.Shared.Next(1, int.MaxValue);

    /// <summary>The run was cancelled because it exceeded its type's timeout (not by a request).</summary>
    public bool TimedOut { get; private set; }

    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(_startedTimestamp);

    /// <summary>Tells the handler to stop; it reports back cancelled.</summary>
    public void Cancel() => _cts.Cancel();

    /// <summary>Cancels the run as timed out.</summary>
    public void TimeOut()
    {
        TimedOut = true;
        _cts.Cancel();
    }

    public void Dispose() => _cts.Dispose();

    /// <summary>
    /// Starts <paramref name="handler"/> on <paramref name="run"/> off the caller's turn; its outcome is
    /// reported to <paramref name="self"/>. The handler's log lines carry the job, its tenant and the
    /// submitting request (<paramref name="requestId"/>).
    /// </summary>
    public static JobRunner Start(IJobHandler handler, JobRun run, IJobGrain self, ILogger logger, string? requestId)
    {
        var runner = new JobRunner(run);
        var runId = runner.Id;
        var cts = runner._cts;

        // The execution context is not flowed: the caller's Orleans call chain must not travel into
        // the handler, or the handler's grain calls would re-enter grains still awaiting this start.
        using var noFlow = ExecutionContext.SuppressFlow();
        var scope = new Dictionary<string, object> { ["job_id"] = run.JobId, ["tenant_id"] = run.TenantId };
        if (requestId is not null)
        {
            scope["request_id"] = requestId;
        }
        _ = Task.Run(async () =>
        {
            // The handler's lines (whatever its logger) carry the job, its tenant and the submitting request;
            // so do the grain calls it makes, its report back included.
            using var logScope = logger.BeginScope(scope);
            if (scope.TryGetValue("request_id", out var request))
            {
                RequestContext.Set("request_id", request);
            }
            JobOutcome outcome;
            try
            {
                var result = await handler.RunAsync(run, cts.Token);
                outcome = new JobOutcome(JobOutcomeKind.Succeeded, result is null ? null : JsonSerializer.Serialize(result, ActorsJson.Options), null, null, false, runId);
            }
            catch (OperationCanceledException) when (cts.IsCancellationRequested)
            {
                outcome = new JobOutcome(JobOutcomeKind.Cancelled, null, null, null, false, runId);
            }
            catch (JobFailedException ex)
            {
                outcome = new JobOutcome(JobOutcomeKind.Failed, null, ex.Code, ex.Message, ex.Retryable, runId);
            }
            catch (Exception ex)
            {
                outcome = new JobOutcome(JobOutcomeKind.Failed, null, JobErrorCodes.HandlerFailed, ex.Message, true, runId);
            }
            await ReportAsync(self, outcome);
        });
        return runner;
    }

    /// <summary>
    /// Reports back through the grain's own mailbox; retried because a lost report would leave the job
    /// processing until the job sweep notices.
    /// </summary>
    private static async Task ReportAsync(IJobGrain self, JobOutcome outcome)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await self.FinishAsync(outcome);
                return;
            }
            catch (Exception) when (attempt < 5)
            {
                await Task.Delay(TimeSpan.FromSeconds(1 << attempt));
            }
            catch (Exception)
            {
                return;
            }
        }
    }
}
