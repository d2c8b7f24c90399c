using System.Globalization;
using Actors.Contracts;
using Actors.Contracts.Candidates;
using Actors.WebApi.Auth;
using Actors.WebApi.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;
using Microsoft.AspNetCore.Http.HttpResults;
using Actors.Data;
using Actors.Data.Candidates;

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



public sealed record HistoryEntryResponse(DateTimeOffset At, string Actor, string Action, string? From, string To, string? Note);

public sealed record CandidateStats(long Total, IReadOnlyDictionary<string, long> ByStatus, IReadOnlyDictionary<string, long> ByProvisioning);

/// <summary>The candidate routes: HTTP in and out (path, headers, status, ETag) over <see cref="CandidateService"/>.</summary>
public static class CandidatesApi
{
    public static IEndpointRouteBuilder MapCandidatesApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapResourceGroup("/candidates", "Candidates");
        group.MapPost("/", CreateAsync).RequireAuthorization(Policies.Writer)
            .WithSummary("Register a candidate (201, Location, ETag). Idempotency-Key: same key and body answer the first result.")
            .ProducesProblem(400).ProducesProblem(422);
        group.MapGet("/", ListAsync).RequireAuthorization(Policies.Reader)
            .WithSummary("List candidates, newest first; filter by status and product; page with cursor (next). Operators without X-Tenant-Id see every tenant (?tenant= narrows).").ProducesProblem(400);
        group.MapGet("/stats", async (HttpContext c, CandidateService candidates, [FromQuery(Name = "tenant")] string? tenant) =>
                TypedResults.Ok(await candidates.StatsAsync(c.Actor(), tenant)))
            .RequireAuthorization(Policies.Reader).WithSummary("Counts by status and provisioning (operators without X-Tenant-Id: every tenant).");
        group.MapGet("/{id}", async (string id, HttpContext c, CandidateService candidates) =>
                Respond(c, await candidates.GetAsync(c.Actor(), Ids.Parse(id))))
            .RequireAuthorization(Policies.Reader).WithSummary("One candidate (ETag).").ProducesProblem(404);
        group.MapPatch("/{id}", async (string id, UpdateCandidateRequest body, HttpContext c, CandidateService candidates) =>
                Respond(c, await candidates.UpdateAsync(c.Actor(), Ids.Parse(id), body, IfMatch(c.Request))))
            .RequireAuthorization(Policies.Writer)
            .WithSummary("Change a pending candidate. If-Match: 412 when the version differs.")
            .ProducesProblem(400).ProducesProblem(404).ProducesProblem(409).ProducesProblem(412);
        group.MapPost("/{id}/approve", async (string id, HttpContext c, CandidateService candidates) =>
                Respond(c, await candidates.ApproveAsync(c.Actor(), Ids.Parse(id), IdempotencyKey.Of(c.Request))))
            .RequireAuthorization(Policies.Writer)
            .WithSummary("Approve; provisioning in the billing service follows as a job. A decided candidate answers 409.")
            .ProducesProblem(404).ProducesProblem(409);
        group.MapPost("/{id}/reject", async (string id, RejectRequest body, HttpContext c, CandidateService candidates) =>
                Respond(c, await candidates.RejectAsync(c.Actor(), Ids.Parse(id), body.Reason, IdempotencyKey.Of(c.Request))))
            .RequireAuthorization(Policies.Writer)
            .WithSummary("Reject with a reason. A decided candidate answers 409.").ProducesProblem(400).ProducesProblem(404).ProducesProblem(409);
        group.MapGet("/{id}/history", async (string id, HttpContext c, CandidateService candidates) =>
                TypedResults.Ok((await candidates.HistoryAsync(c.Actor(), Ids.Parse(id)))
                    .Select(h => new HistoryEntryResponse(h.At, h.Actor, h.Action, h.From, h.To, h.Note)).ToList()))
            .RequireAuthorization(Policies.Reader)
            .WithSummary("Every state change: who, when, from, to.").ProducesProblem(404);
        group.MapPost("/{id}/provision", async (string id, HttpContext c, CandidateService candidates) =>
                Respond(c, await candidates.ProvisionAsync(c.Actor(), Ids.Parse(id))))
            .RequireAuthorization(Policies.TenantAdmin)
            .WithSummary("Re-submit provisioning of an approved candidate whose provisioning failed.")
            .ProducesProblem(404).ProducesProblem(409);
        return endpoints;
    }

    private static async Task<Created<CandidateResponse>> CreateAsync(CreateCandidateRequest body, HttpContext context, CandidateService candidates)
    {
        var candidate = await candidates.CreateAsync(context.Actor(), body, IdempotencyKey.Of(context.Request));
        if (candidate.Existing)
        {
            context.Response.Headers["Idempotent-Replayed"] = "true";
        }
        context.Response.Headers.ETag = ETag(candidate);
        return TypedResults.Created($"/candidates/{candidate.Id}", CandidateResponse.From(candidate));
    }

    private static async Task<Ok<Page<CandidateListItem>>> ListAsync(HttpContext context, CandidateService candidates, string? status,
        string? product, int? limit, int? offset, string? cursor, [FromQuery(Name = "tenant")] string? tenant) =>
        TypedResults.Ok(await candidates.PageAsync(context.Actor(), new CandidateQuery(status, product, limit, offset, cursor, tenant)));

    private static Ok<CandidateResponse> Respond(HttpContext context, CandidateInfo candidate)
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
}
