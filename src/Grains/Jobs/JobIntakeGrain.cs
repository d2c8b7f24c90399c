using Actors.Contracts.Jobs;
using Actors.Contracts;
using Npgsql;
using Orleans.Concurrency;
using Actors.Data.Jobs;

namespace Actors.Grains.Jobs;

/// <summary>
/// Queues a batch of jobs (<c>POST /jobs/batch</c>) in one statement and one message to the tenant's
/// dispatcher, where submitting each through its grain would cost a message, an activation and a write
/// per job. The rows are what each grain's first write would store (version 1), so a job's grain,
/// activated when its job starts, reads its job as if it had submitted it itself.
/// </summary>
[StatelessWorker]
public sealed class JobIntakeGrain(NpgsqlDataSource db, IEnumerable<IJobHandler> handlers, TimeProvider clock) : Grain, IJobIntakeGrain
{
    public async Task<IReadOnlyList<JobIntakeOutcome>> SubmitAsync(string tenantId, IReadOnlyList<JobIntakeItem> items, int room, int limit)
    {
        var outcomes = new JobIntakeOutcome[items.Count];
        var valid = new List<(int Index, int MaxAttempts)>();
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            if (JobDrafts.Refusal(handlers, item.Draft, out var handler) is { } error)
            {
                outcomes[i] = Refused(item, error);
            }
            else
            {
                valid.Add((i, item.Draft.MaxAttempts ?? handler!.DefaultMaxAttempts));
            }
        }

        // Keyed items may name jobs already stored: those answer as replays and take no room.
        var stored = await JobTable.ReadStoredAsync(db, tenantId, valid.Where(v => items[v.Index].Keyed).Select(v => items[v.Index].Id).ToArray());
        var fresh = new List<(int Index, int MaxAttempts)>();
        foreach (var v in valid)
        {
            var item = items[v.Index];
            if (stored.TryGetValue(item.Id, out var job))
            {
                outcomes[v.Index] = Answer(item, job.RequestHash, job.Status);
            }
            else if (room-- > 0)
            {
                fresh.Add(v);
            }
            else
            {
                outcomes[v.Index] = Refused(item, new ActorsException(ErrorCodes.LimitExceeded,
                    $"The tenant's active jobs reached settings.max_active_jobs ({limit}); this job was not queued."));
            }
        }
        if (fresh.Count == 0)
        {
            return outcomes;
        }

        var inserted = await JobTable.InsertQueuedAsync(db, tenantId,
            fresh.Select(f => (items[f.Index].Id, items[f.Index].Draft, f.MaxAttempts)).ToList(), clock.GetUtcNow());
        // An id not inserted was stored meanwhile by a concurrent submission of the same key.
        var raced = await JobTable.ReadStoredAsync(db, tenantId, fresh.Select(f => items[f.Index].Id).Where(id => !inserted.Contains(id)).ToArray());
        var queued = new List<Guid>(inserted.Count);
        foreach (var (index, _) in fresh)
        {
            var item = items[index];
            if (inserted.Contains(item.Id))
            {
                outcomes[index] = new JobIntakeOutcome(item.Id, JobStatus.Queued, false, null);
                queued.Add(item.Id);
                JobMetrics.Reached(item.Draft.Type, "queued");
            }
            else
            {
                outcomes[index] = raced.TryGetValue(item.Id, out var job)
                    ? Answer(item, job.RequestHash, job.Status)
                    : Refused(item, new ActorsException(ErrorCodes.Conflict, "This job id is taken."));
            }
        }
        if (queued.Count > 0)
        {
            GrainFactory.GetGrain<IJobDispatcherGrain>(JobDispatcherGrain.Key(tenantId)).QueuedManyAsync([.. queued]).Ignore();
        }
        return outcomes;
    }

    private static JobIntakeOutcome Answer(JobIntakeItem item, string storedHash, JobStatus status) =>
        storedHash == item.Draft.RequestHash
            ? new JobIntakeOutcome(item.Id, status, true, null)
            : Refused(item, JobDrafts.KeyReused());

    private static JobIntakeOutcome Refused(JobIntakeItem item, ActorsException error) => new(item.Id, JobStatus.Queued, false, error);
}
