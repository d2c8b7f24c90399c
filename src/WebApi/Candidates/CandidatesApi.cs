using System.Globalization;
using Actors.Grains;
using Actors.Grains.Candidates;
using Actors.WebApi.Auth;
using Actors.WebApi.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;
using Actors.Infrastructure.Database;
using Npgsql;

namespace Actors.WebApi.Candidates;

public sealed record CreateCandidateRequest(string? CompanyName, string? ContactEmail, string? ContactPhone, List<string?>? Products);

public sealed record UpdateCandidateRequest(string? CompanyName, string? ContactEmail, string? ContactPhone, List<string?>? Products);

public sealed record RejectRequest(string? Reason);

public sealed record CandidateResponse(
    Guid Id, string CompanyName, string ContactEmail, string? ContactPhone, IReadOnlyList<string> Products, string Status,
    string Provisioning, string? ProviderId, string? ProvisioningError, long Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt,
    string? DecidedBy, DateTimeOffset? DecidedAt, string? RejectionReason)
{
    public static CandidateResponse From(CandidateInfo c) => new(
        c.Id, c.CompanyName, c.ContactEmail, c.ContactPhone, c.Products, ActorsJson.Name(c.Status),
        ActorsJson.Name(c.Provisioning), c.ProviderId, c.ProvisioningError, c.Version, c.CreatedAt, c.UpdatedAt,
        c.DecidedBy, c.DecidedAt, c.RejectionReason);
}

public sealed record CandidateListItem(Guid Id, string TenantId, string CompanyName, string ContactEmail, IReadOnlyList<string> Products, string Status,
    string Provisioning, string? ProviderId, long Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed record HistoryEntryResponse(DateTimeOffset At, string Actor, string Action, string? From, string To, string? Note);

public sealed record CandidateStats(long Total, IReadOnlyDictionary<string, long> ByStatus, IReadOnlyDictionary<string, long> ByProvisioning);

public static class CandidatesApi
{
    private static readonly string[] Statuses = ["pending", "approved", "rejected"];

    public static IEndpointRouteBuilder MapCandidatesApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapResourceGroup("/candidates", "Candidates");
        group.MapPost("/", CreateAsync).RequireAuthorization(Policies.Writer).Produces<CandidateResponse>(201)
            .WithSummary("Register a candidate (201, Location, ETag). Idempotency-Key: same key and body answer the first result.")
            .ProducesProblem(400).ProducesProblem(422);
        group.MapGet("/", ListAsync).RequireAuthorization(Policies.Reader).Produces<Page<CandidateListItem>>()
            .WithSummary("List candidates, newest first; filter by status and product; page with cursor (next). Operators without X-Tenant-Id see every tenant (?tenant= narrows).").ProducesProblem(400);
        group.MapGet("/stats", StatsAsync).RequireAuthorization(Policies.Reader).Produces<CandidateStats>().WithSummary("Counts by status and provisioning (operators without X-Tenant-Id: every tenant).");
        group.MapGet("/{id}", GetAsync).RequireAuthorization(Policies.Reader).Produces<CandidateResponse>().WithSummary("One candidate (ETag).").ProducesProblem(404);
        group.MapPatch("/{id}", UpdateAsync).RequireAuthorization(Policies.Writer).Produces<CandidateResponse>()
            .WithSummary("Change a pending candidate. If-Match: 412 when the version differs.")
            .ProducesProblem(400).ProducesProblem(404).ProducesProblem(409).ProducesProblem(412);
        group.MapPost("/{id}/approve", ApproveAsync).RequireAuthorization(Policies.Writer).Produces<CandidateResponse>()
            .WithSummary("Approve; provisioning in the billing service follows as a job. A decided candidate answers 409.")
            .ProducesProblem(404).ProducesProblem(409);
        group.MapPost("/{id}/reject", RejectAsync).RequireAuthorization(Policies.Writer).Produces<CandidateResponse>()
            .WithSummary("Reject with a reason. A decided candidate answers 409.").ProducesProblem(400).ProducesProblem(404).ProducesProblem(409);
        group.MapGet("/{id}/history", HistoryAsync).RequireAuthorization(Policies.Reader).Produces<List<HistoryEntryResponse>>()
            .WithSummary("Every state change: who, when, from, to.").ProducesProblem(404);
        group.MapPost("/{id}/provision", async (string id, HttpContext c, IClusterClient cluster) =>
                Respond(c, await Grain(id, c, cluster).ProvisionAsync(c.Actor().Email)))
            .RequireAuthorization(Policies.TenantAdmin).Produces<CandidateResponse>()
            .WithSummary("Re-submit provisioning of an approved candidate whose provisioning failed.")
            .ProducesProblem(404).ProducesProblem(409);
        return endpoints;
    }

    private static async Task<IResult> CreateAsync(CreateCandidateRequest body, HttpContext context, IClusterClient cluster, NpgsqlDataSource db)
    {
        var actor = context.Actor();
        var tenant = actor.RequireTenant();
        var validator = new Validator();
        foreach (var (field, messages) in CandidateRules.Validate(body.CompanyName, body.ContactEmail, body.ContactPhone, body.Products))
        {
            foreach (var message in messages) validator.Add(field, message);
        }
        var key = IdempotencyKey.Read(context.Request, validator);
        validator.ThrowIfAny();

        var products = CandidateRules.Normalize(body.Products);
        var id = key is null ? Guid.CreateVersion7() : IdempotencyKey.DeriveId(tenant, "candidate", key);
        await TenantQuota.EnsureRoomAsync(context.RequestServices.GetRequiredService<AccessCache>(), db, tenant, "candidates", s => s.MaxCandidates, "candidate.status", [],
            key is null ? null : async () => await cluster.GetGrain<ICandidateGrain>(id, tenant).GetAsync() is not null);
        var hash = IdempotencyKey.Hash(body.CompanyName!, body.ContactEmail!, body.ContactPhone ?? "", string.Join('\u001e', products));
        var candidate = await cluster.GetGrain<ICandidateGrain>(id, tenant)
            .CreateAsync(new CandidateDraft(body.CompanyName!, body.ContactEmail!, body.ContactPhone, products, hash, actor.Email));
        if (candidate.Existing)
        {
            context.Response.Headers["Idempotent-Replayed"] = "true";
        }
        context.Response.Headers.ETag = ETag(candidate);
        return TypedResults.Created($"/candidates/{candidate.Id}", CandidateResponse.From(candidate));
    }

    private static async Task<IResult> GetAsync(string id, HttpContext context, IClusterClient cluster)
    {
        var candidate = await Grain(id, context, cluster).GetAsync() ?? throw ActorsException.NotFound("Candidate");
        return Respond(context, candidate);
    }

    private static async Task<IResult> UpdateAsync(string id, UpdateCandidateRequest body, HttpContext context, IClusterClient cluster)
    {
        var expected = IfMatch(context.Request);
        var patch = new CandidatePatch
        {
            CompanyName = body.CompanyName,
            ContactEmail = body.ContactEmail,
            ContactPhone = body.ContactPhone,
            Products = body.Products is null ? null : CandidateRules.Normalize(body.Products),
        };
        var errors = CandidateRules.Validate(body.CompanyName, body.ContactEmail, body.ContactPhone, body.Products, partial: true);
        if (errors.Count > 0)
        {
            throw new ActorsException(ErrorCodes.Validation, "One or more fields are invalid.", errors);
        }
        return Respond(context, await Grain(id, context, cluster).UpdateAsync(patch, expected, context.Actor().Email));
    }

    private static async Task<IResult> ApproveAsync(string id, HttpContext context, IClusterClient cluster)
    {
        var validator = new Validator();
        var key = IdempotencyKey.Read(context.Request, validator);
        validator.ThrowIfAny();
        return Respond(context, await Grain(id, context, cluster).ApproveAsync(context.Actor().Email, key));
    }

    private static async Task<IResult> RejectAsync(string id, RejectRequest body, HttpContext context, IClusterClient cluster)
    {
        var validator = new Validator();
        validator.Required("reason", body.Reason, CandidateRules.MaxReason);
        var key = IdempotencyKey.Read(context.Request, validator);
        validator.ThrowIfAny();
        return Respond(context, await Grain(id, context, cluster).RejectAsync(context.Actor().Email, body.Reason!.Trim(), key));
    }

    private static async Task<IResult> HistoryAsync(string id, HttpContext context, IClusterClient cluster)
    {
        var history = await Grain(id, context, cluster).GetHistoryAsync();
        return TypedResults.Ok(history.Select(h => new HistoryEntryResponse(h.At, h.Actor, h.Action, h.From, h.To, h.Note)).ToList());
    }

    private static async Task<IResult> ListAsync(HttpContext context, NpgsqlDataSource db, string? status, string? product, int? limit,
        int? offset, string? cursor, [FromQuery(Name = "tenant")] string? tenantFilter)
    {
        var tenant = context.Actor().ListScope(tenantFilter);
        var errors = new Validator();
        var page = Paging.From(limit, offset, cursor, errors);
        CheckFilters(errors, status, product);
        errors.ThrowIfAny();

        return TypedResults.Ok(await PageAsync(db, tenant, status, product, page));
    }

    /// <summary>The list's filters: a status of <see cref="Statuses"/>, a product of at most 100 characters.</summary>
    public static void CheckFilters(Validator errors, string? status, string? product)
    {
        if (status is not null && !Statuses.Contains(status))
        {
            errors.Add("status", "must be pending, approved or rejected");
        }
        errors.Length("product", product, CandidateRules.MaxProductLength);
    }

    /// <summary>
    /// A page of candidates, newest first along (tenant_id[, status], created_at, id), or for an operator's
    /// platform-wide view along (created_at, id); a product filter reads that range until it has a page,
    /// and has no counter (total null). The API's list and the console's.
    /// </summary>
    public static Task<Page<CandidateListItem>> PageAsync(NpgsqlDataSource db, string? tenant, string? status, string? product, Paging page) =>
        PagedQuery.ReadAsync(db,
            "id, tenant_id, company_name, contact_email, products, status, provisioning, provider_id, version, created_at, updated_at", "candidates",
            Sql.Where(tenant is null ? null : "tenant_id = @tenant", status is null ? null : "status = @status",
                product is null ? null : "products @> ARRAY[@product::text]"),
            new KeysetOrder("created_at", "id", "uuid"), page, [("tenant", tenant), ("status", status), ("product", product)],
            r => new CandidateListItem(r.GetGuid(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetFieldValue<string[]>(4), r.GetString(5),
                r.GetString(6), r.IsDBNull(7) ? null : r.GetString(7), r.GetInt64(8), r.GetFieldValue<DateTimeOffset>(9), r.GetFieldValue<DateTimeOffset>(10)),
            product is not null ? null : status is null ? new CounterTotal(tenant, "candidate.status") : new CounterTotal(tenant, "candidate.status", status));

    private static async Task<IResult> StatsAsync(HttpContext context, NpgsqlDataSource db, [FromQuery(Name = "tenant")] string? tenantFilter)
    {
        var tenant = context.Actor().ListScope(tenantFilter);
        var status = await db.ReadAsync(tenant, "candidate.status");
        var provisioning = await db.ReadAsync(tenant, "candidate.provisioning");
        var byStatus = Statuses.ToDictionary(s => s, s => status.GetValueOrDefault(s));
        var byProvisioning = new[] { "not_started", "pending", "provisioned", "failed" }.ToDictionary(s => s, s => provisioning.GetValueOrDefault(s));
        return TypedResults.Ok(new CandidateStats(byStatus.Values.Sum(), byStatus, byProvisioning));
    }

    private static IResult Respond(HttpContext context, CandidateInfo candidate)
    {
        context.Response.Headers.ETag = ETag(candidate);
        return TypedResults.Ok(CandidateResponse.From(candidate));
    }

    private static string ETag(CandidateInfo candidate) => $"\"{candidate.Version.ToString(CultureInfo.InvariantCulture)}\"";

    /// <summary>The version named by If-Match (<c>"3"</c> or <c>W/"3"</c>); <c>*</c> or absent: no check.</summary>
    private static long? IfMatch(HttpRequest request)
    {
        var header = request.Headers.IfMatch.ToString();
        if (header.Length == 0 || header.Trim() == "*")
        {
            return null;
        }
        if (EntityTagHeaderValue.TryParse(header.Split(',')[0].Trim(), out var tag)
            && long.TryParse(tag.Tag.ToString().Trim('"'), NumberStyles.None, CultureInfo.InvariantCulture, out var version))
        {
            return version;
        }
        throw new ActorsException(ErrorCodes.PreconditionFailed, "If-Match must name a version this API issued as an ETag.");
    }

    private static ICandidateGrain Grain(string id, HttpContext context, IClusterClient cluster) =>
        cluster.GetGrain<ICandidateGrain>(Ids.Parse(id), context.Actor().RequireTenant());
}
