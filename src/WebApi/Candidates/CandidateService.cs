using Actors.Contracts;
using Actors.Contracts.Candidates;
using Actors.WebApi.Auth;
using Actors.WebApi.Infrastructure;
using Npgsql;
using Actors.Data;
using Actors.Data.Candidates;

namespace Actors.WebApi.Candidates;

/// <summary>The filters and page of a candidate list, as given (checked by <see cref="CandidateService.PageAsync"/>).</summary>
public sealed record CandidateQuery(string? Status = null, string? Product = null, int? Limit = null, int? Offset = null,
    string? Cursor = null, string? Tenant = null);

/// <summary>
/// The candidates capability: every use case of a candidate (register, change, decide, provision) and
/// its read side (one, its history, a page, the counts). It checks the request once, applies the
/// tenant's cap and the Idempotency-Key, and calls the candidate's grain. The JSON routes
/// (<see cref="CandidatesApi"/>) and the console's pages are adapters over it.
/// </summary>
public sealed class CandidateService(IClusterClient cluster, NpgsqlDataSource db, AccessCache access)
{
    /// <summary>Registers a candidate; the same <paramref name="idempotencyKey"/> and body answer the first (Existing).</summary>
    public async Task<CandidateInfo> CreateAsync(RequestActor actor, CreateCandidateRequest body, string? idempotencyKey)
    {
        var tenant = actor.RequireTenant();
        var validator = new Validator();
        foreach (var (field, messages) in CandidateRules.Validate(body.CompanyName, body.ContactEmail, body.ContactPhone, body.Products))
        {
            foreach (var message in messages) validator.Add(field, message);
        }
        var key = IdempotencyKey.Check(idempotencyKey, validator);
        validator.ThrowIfAny();

        var products = CandidateRules.Normalize(body.Products);
        var id = key is null ? Guid.CreateVersion7() : IdempotencyKey.DeriveId(tenant, "candidate", key);
        await TenantQuota.EnsureRoomAsync(access, db, tenant, TenantCap.Candidates,
            key is null ? null : async () => await cluster.GetGrain<ICandidateGrain>(id, tenant).GetAsync() is not null);
        var hash = IdempotencyKey.Hash(body.CompanyName!, body.ContactEmail!, body.ContactPhone ?? "", string.Join('\u001e', products));
        return await cluster.GetGrain<ICandidateGrain>(id, tenant)
            .CreateAsync(new CandidateDraft(body.CompanyName!, body.ContactEmail!, body.ContactPhone, products, hash, actor.Email));
    }

    public async Task<CandidateInfo> GetAsync(RequestActor actor, Guid id) =>
        await Grain(actor, id).GetAsync() ?? throw ActorsException.NotFound("Candidate");

    public Task<IReadOnlyList<CandidateHistoryEntry>> HistoryAsync(RequestActor actor, Guid id) => Grain(actor, id).GetHistoryAsync();

    /// <summary>Changes a pending candidate; <paramref name="expectedVersion"/> (If-Match) refuses a stale change with 412.</summary>
    public async Task<CandidateInfo> UpdateAsync(RequestActor actor, Guid id, UpdateCandidateRequest body, long? expectedVersion)
    {
        var errors = CandidateRules.Validate(body.CompanyName, body.ContactEmail, body.ContactPhone, body.Products, partial: true);
        if (errors.Count > 0)
        {
            throw new ActorsException(ErrorCodes.Validation, "One or more fields are invalid.", errors);
        }
        var patch = new CandidatePatch
        {
            CompanyName = body.CompanyName,
            ContactEmail = body.ContactEmail,
            ContactPhone = body.ContactPhone,
            Products = body.Products is null ? null : CandidateRules.Normalize(body.Products),
        };
        return await Grain(actor, id).UpdateAsync(patch, expectedVersion, actor.Email);
    }

    /// <summary>
    /// Approves; when the tenant has a billing service, provisioning follows as a job. A decided candidate
    /// answers 409 (the same key: its first answer). The tenant's settings are the ones this process read
    /// at most <see cref="AccessCache.Bound"/> ago (at once after a change made here), so an approve makes
    /// one grain call, the candidate's.
    /// </summary>
    public async Task<CandidateInfo> ApproveAsync(RequestActor actor, Guid id, string? idempotencyKey)
    {
        var validator = new Validator();
        var key = IdempotencyKey.Check(idempotencyKey, validator);
        validator.ThrowIfAny();
        var settings = await access.SettingsAsync(actor.RequireTenant());
        return await Grain(actor, id).ApproveAsync(actor.Email, key, provision: !string.IsNullOrEmpty(settings.BillingServiceUrl));
    }

    public async Task<CandidateInfo> RejectAsync(RequestActor actor, Guid id, string? reason, string? idempotencyKey)
    {
        var validator = new Validator();
        validator.Required("reason", reason, CandidateRules.MaxReason);
        var key = IdempotencyKey.Check(idempotencyKey, validator);
        validator.ThrowIfAny();
        return await Grain(actor, id).RejectAsync(actor.Email, reason!.Trim(), key);
    }

    /// <summary>Submits provisioning again for an approved candidate whose provisioning failed.</summary>
    public Task<CandidateInfo> ProvisionAsync(RequestActor actor, Guid id) => Grain(actor, id).ProvisionAsync(actor.Email);

    /// <summary>
    /// A page of candidates, newest first along (tenant_id[, status], created_at, id), or for an operator's
    /// platform-wide view along (created_at, id); a product filter reads that range until it has a page,
    /// and has no counter (total null).
    /// </summary>
    public async Task<Page<CandidateListItem>> PageAsync(RequestActor actor, CandidateQuery query)
    {
        var tenant = actor.ListScope(query.Tenant);
        var errors = new Validator();
        var page = PagingRequest.From(query.Limit, query.Offset, query.Cursor, errors);
        var (status, product) = (query.Status, query.Product);
        errors.OneOf("status", status, CandidateQueries.Statuses);
        errors.Length("product", product, CandidateRules.MaxProductLength);
        errors.ThrowIfAny();

        return await CandidateQueries.PageAsync(db, tenant, status, product, page);
    }

    /// <summary>Counts by status and provisioning, from the counters (operators without a tenant: every tenant).</summary>
    public async Task<CandidateStats> StatsAsync(RequestActor actor, string? tenantFilter)
    {
        var tenant = actor.ListScope(tenantFilter);
        var status = await db.ReadAsync(tenant, CandidateTable.StatusCounter);
        var provisioning = await db.ReadAsync(tenant, CandidateTable.ProvisioningCounter);
        var byStatus = CandidateQueries.Statuses.ToDictionary(s => s, s => status.GetValueOrDefault(s));
        var byProvisioning = CandidateQueries.Provisionings.ToDictionary(s => s, s => provisioning.GetValueOrDefault(s));
        return new CandidateStats(byStatus.Values.Sum(), byStatus, byProvisioning);
    }

    private ICandidateGrain Grain(RequestActor actor, Guid id) => cluster.GetGrain<ICandidateGrain>(id, actor.RequireTenant());
}
