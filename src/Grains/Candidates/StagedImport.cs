using Actors.Contracts.Candidates;
using Actors.Contracts;
using System.Text.Json;
using Actors.Data;
using Actors.Data.Candidates;
using Actors.Grains.Jobs;
using Actors.Contracts.Tenants;
using Npgsql;

namespace Actors.Grains.Candidates;

/// <summary>
/// The job side of <c>POST /candidates/imports</c>: moves the staged records of one import into
/// <c>candidates</c>, a batch per statement (<see cref="CandidateImports.MoveAsync"/>), reporting progress.
/// Each statement deletes the batch's staged rows, inserts their candidates and their counter deltas,
/// and advances the checkpoint, so a run that dies resumes where the last commit left it: no candidate
/// twice, none missed. Records past the tenant's <c>max_candidates</c> are refused with the rest of the
/// refused records, reported by line at the end.
/// </summary>
public static class StagedImport
{
    public static async Task<object?> RunAsync(NpgsqlDataSource db, ImportOptions options, Guid id, JobRun run, CancellationToken cancellationToken)
    {
        if (id != run.JobId)
        {
            throw new JobFailedException("invalid_upload", "An upload is imported by the job POST /candidates/imports created for it.", retryable: false);
        }
        var import = await CandidateImports.ReadAsync(db, id, cancellationToken);
        if (import is null || import.TenantId != run.TenantId)
        {
            throw new JobFailedException("invalid_upload", "The upload was not found (removed by retention?).", retryable: false);
        }
        if (import.Result is not null)
        {
            return JsonDocument.Parse(import.Result).RootElement.Clone();
        }
        var limit = await CandidateLimitAsync(run);
        var refusedAtLimit = JsonSerializer.Serialize(new Dictionary<string, string[]>
        {
            ["row"] = [$"the tenant's limit of {limit} candidates is reached"],
        });
        var actor = "job:" + run.JobId;
        var next = import.NextSeq;
        run.ReportProgress(next - 1, import.Rows);
        while (next <= import.Rows)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var end = (int)Math.Min((long)next + options.BatchRows, import.Rows + 1L);
            var room = limit - await db.SumAsync(run.TenantId, CandidateTable.StatusCounter);
            await CandidateImports.MoveAsync(db, id, run.TenantId, next, end, room, actor, refusedAtLimit, cancellationToken);
            next = end;
            run.ReportProgress(next - 1, import.Rows);
            if (options.PauseBetweenBatches > TimeSpan.Zero && next <= import.Rows)
            {
                await Task.Delay(options.PauseBetweenBatches, cancellationToken);
            }
        }
        return await CandidateImports.FinishAsync(db, id, cancellationToken);
    }

    /// <summary>The tenant's <c>max_candidates</c>, which holds for imports too: records past it are reported, not created.</summary>
    public static async Task<int> CandidateLimitAsync(JobRun run) =>
        (await run.Grains.GetGrain<ITenantGrain>(GrainKeys.Tenant(run.TenantId)).GetAsync())?.Settings.MaxCandidates
            ?? TenantSettings.DefaultMaxCandidates;
}
