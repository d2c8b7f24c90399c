using Actors.Contracts.Candidates;
using Actors.Contracts;
using Actors.Contracts.Jobs;
using Actors.Grains.Storage;
using Microsoft.Extensions.Logging;
using Npgsql;
using Actors.Data.Candidates;

namespace Actors.Grains.Candidates;


public sealed partial class CandidateGrain(
    [PersistentState("candidate", DomainGrainStorage.Name)] IPersistentState<CandidateState> state,
    NpgsqlDataSource db,
    TimeProvider clock,
    ILogger<CandidateGrain> logger) : Grain, ICandidateGrain
{
    // A candidate can be stored without its grain (a CSV import writes its rows in SQL).
    private readonly StoredRow<CandidateState> _row = new(state, s => s.Id != Guid.Empty);

    private bool Exists => _row.Exists;
    private CandidateState S => state.State;

    public async Task<CandidateInfo?> GetAsync()
    {
        await _row.ReadIfAbsentAsync();
        return Exists ? ToInfo() : null;
    }

    public async Task<IReadOnlyList<CandidateHistoryEntry>> GetHistoryAsync()
    {
        await EnsureExistsAsync();
        // Every write has reached the table before its call returned: the table is the whole history.
        return await CandidateQueries.HistoryAsync(db, S.Id);
    }

    public async Task<CandidateInfo> CreateAsync(CandidateDraft draft)
    {
        if (Exists)
        {
            return S.RequestHash == draft.RequestHash
                ? ToInfo() with { Existing = true }
                : throw new ActorsException(ErrorCodes.IdempotencyKeyReused, "This Idempotency-Key was used for a different candidate.");
        }
        // The draft was checked by its caller (CandidateService, the import job) against CandidateRules.
        var id = this.GetPrimaryKey(out var tenant);
        var now = clock.GetUtcNow();
        state.State = new CandidateState
        {
            Id = id,
            TenantId = tenant!,
            CompanyName = draft.CompanyName.Trim(),
            ContactEmail = draft.ContactEmail,
            ContactPhone = draft.ContactPhone,
            Products = CandidateRules.Normalize(draft.Products).ToList(),
            Status = CandidateStatus.Pending,
            Provisioning = ProvisioningStatus.NotStarted,
            Version = 1,
            CreatedAt = now,
            UpdatedAt = now,
            RequestHash = draft.RequestHash,
            History = [new CandidateHistoryEntry(now, draft.Actor, "created", null, "pending", null)],
            HistoryFlushed = 0,
        };
        await WriteAsync();
        return ToInfo();
    }

    public async Task<CandidateInfo> UpdateAsync(CandidatePatch patch, long? expectedVersion, string actor)
    {
        await EnsureExistsAsync();
        if (expectedVersion is { } expected && expected != S.Version)
        {
            throw new ActorsException(ErrorCodes.PreconditionFailed,
                $"If-Match names version {expected}; the candidate is at version {S.Version}.");
        }
        if (S.Status != CandidateStatus.Pending)
        {
            throw ActorsException.Conflict($"Candidate is {ActorsJson.Name(S.Status)}; only pending candidates can be changed.");
        }
        S.CompanyName = patch.CompanyName?.Trim() ?? S.CompanyName;
        S.ContactEmail = patch.ContactEmail ?? S.ContactEmail;
        S.ContactPhone = patch.ContactPhone ?? S.ContactPhone;
        if (patch.Products is not null)
        {
            S.Products = CandidateRules.Normalize(patch.Products).ToList();
        }
        await SaveAsync(actor, "updated", "pending", "pending", null);
        return ToInfo();
    }

    public async Task<CandidateInfo> ApproveAsync(string actor, string? idempotencyKey, bool provision)
    {
        await EnsureExistsAsync();
        if (Repeated(idempotencyKey, CandidateStatus.Approved))
        {
            return ToInfo();
        }
        EnsurePending("approved");
        Decide(actor, CandidateStatus.Approved, idempotencyKey);
        S.Provisioning = provision ? ProvisioningStatus.Pending : ProvisioningStatus.NotStarted;
        await SaveAsync(actor, "approved", "pending", "approved", null);
        // The decision is committed first; provisioning follows as a durable job.
        if (provision)
        {
            await SubmitProvisioningAsync(actor);
        }
        return ToInfo();
    }

    public async Task<CandidateInfo> RejectAsync(string actor, string reason, string? idempotencyKey)
    {
        await EnsureExistsAsync();
        if (Repeated(idempotencyKey, CandidateStatus.Rejected))
        {
            return ToInfo();
        }
        EnsurePending("rejected");
        Decide(actor, CandidateStatus.Rejected, idempotencyKey);
        S.RejectionReason = reason;
        await SaveAsync(actor, "rejected", "pending", "rejected", reason);
        return ToInfo();
    }

    public async Task<CandidateInfo> SetProvisioningAsync(ProvisioningStatus status, string? providerId, string? error)
    {
        await EnsureExistsAsync();
        if (S.Provisioning == ProvisioningStatus.Provisioned)
        {
            return ToInfo();
        }
        var from = ActorsJson.Name(S.Provisioning);
        S.Provisioning = status;
        S.ProviderId = providerId ?? S.ProviderId;
        S.ProvisioningError = status == ProvisioningStatus.Failed ? error : null;
        await SaveAsync("billing.provision", "provisioning", from, ActorsJson.Name(status), error ?? providerId);
        return ToInfo();
    }

    public async Task<CandidateInfo> ProvisionAsync(string actor)
    {
        await EnsureExistsAsync();
        if (S.Status != CandidateStatus.Approved || S.Provisioning == ProvisioningStatus.Provisioned)
        {
            throw ActorsException.Conflict($"Only approved, unprovisioned candidates can be provisioned; this one is {ActorsJson.Name(S.Status)}, provisioning {ActorsJson.Name(S.Provisioning)}.");
        }
        var from = ActorsJson.Name(S.Provisioning);
        S.Provisioning = ProvisioningStatus.Pending;
        S.ProvisioningError = null;
        await SaveAsync(actor, "provisioning", from, "pending", "retry requested");
        await SubmitProvisioningAsync(actor);
        return ToInfo();
    }

    private async Task SubmitProvisioningAsync(string actor)
    {
        var job = GrainFactory.GetGrain<IJobGrain>(StableId.ProvisioningJob(S.Id), S.TenantId);
        var parameters = System.Text.Json.JsonSerializer.Serialize(new { candidate_id = S.Id });
        try
        {
            var info = await job.SubmitAsync(new JobDraft(JobTypes.BillingProvision, parameters, null, "provision:" + S.Id, actor, null));
            if (info.Existing && info.Status is JobStatus.Failed or JobStatus.Cancelled)
            {
                await job.RetryAsync(actor);
            }
        }
        catch (Exception ex) when (ex is not ActorsException)
        {
            // The decision stands; an operator re-submits with POST /candidates/{id}/provision.
            LogSubmitFailed(logger, S.Id, ex.Message);
        }
    }

    private bool Repeated(string? key, CandidateStatus target) =>
        key is not null && S.DecisionKey == key && S.Status == target;

    private void EnsurePending(string target)
    {
        if (S.Status != CandidateStatus.Pending)
        {
            throw ActorsException.Conflict($"Candidate is already {ActorsJson.Name(S.Status)}; it cannot be {target}.");
        }
    }

    private void Decide(string actor, CandidateStatus status, string? key)
    {
        S.Status = status;
        S.DecidedBy = actor;
        S.DecidedAt = clock.GetUtcNow();
        S.DecisionKey = key;
    }

    private async Task SaveAsync(string actor, string action, string? from, string to, string? note)
    {
        var now = clock.GetUtcNow();
        S.Version++;
        S.UpdatedAt = now;
        S.History.Add(new CandidateHistoryEntry(now, actor, action, from, to, note));
        await WriteAsync();
    }

    /// <summary>
    /// Writes the row; the history entries it carries are appended to <c>candidate_history</c> in the
    /// same statement (<see cref="CandidateTable"/>), which then clears them from the state.
    /// </summary>
    private Task WriteAsync() => state.PersistAsync(this);

    private Task EnsureExistsAsync() => _row.EnsureExistsAsync("Candidate");

    private CandidateInfo ToInfo() => new()
    {
        Id = S.Id,
        TenantId = S.TenantId,
        CompanyName = S.CompanyName,
        ContactEmail = S.ContactEmail,
        ContactPhone = S.ContactPhone,
        Products = S.Products.ToList(),
        Status = S.Status,
        Provisioning = S.Provisioning,
        ProviderId = S.ProviderId,
        Version = S.Version,
        CreatedAt = S.CreatedAt,
        UpdatedAt = S.UpdatedAt,
        DecidedBy = S.DecidedBy,
        DecidedAt = S.DecidedAt,
        RejectionReason = S.RejectionReason,
        ProvisioningError = S.ProvisioningError,
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Candidate {CandidateId}: provisioning job not submitted: {Reason}")]
    private static partial void LogSubmitFailed(ILogger logger, Guid candidateId, string reason);
}
