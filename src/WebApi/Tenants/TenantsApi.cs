using Actors.Contracts;
using Actors.Contracts.Tenants;
using Actors.WebApi.Auth;

namespace Actors.WebApi.Tenants;

public sealed record SmtpSettingsBody(string? Host, int? Port, string? Username, string? Password, string? FromAddress, bool? UseTls);

public sealed record TenantSettingsBody(int? MaxConcurrentJobs, int? RequestsPerSecond, string? BillingServiceUrl, SmtpSettingsBody? Smtp,
    int? MaxCandidates = null, int? MaxSchedules = null, int? MaxActiveJobs = null);

public sealed record CreateTenantRequest(string? Id, string? Name, TenantSettingsBody? Settings);

public sealed record UpdateTenantRequest(string? Name, TenantSettingsBody? Settings);

/// <summary>SMTP settings as answered: the password is never returned, only whether one is set.</summary>
public sealed record SmtpSettingsResponse(string? Host, int Port, string? Username, bool PasswordSet, string? FromAddress, bool UseTls);

public sealed record TenantSettingsResponse(int MaxConcurrentJobs, int RequestsPerSecond, string? BillingServiceUrl, SmtpSettingsResponse Smtp,
    int MaxCandidates, int MaxSchedules, int MaxActiveJobs);

public sealed record TenantResponse(string Id, string Name, string Status, bool IsActive, TenantSettingsResponse Settings,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static TenantResponse From(TenantInfo t) => new(t.Id, t.Name, ActorsJson.Name(t.Status), t.IsActive,
        new TenantSettingsResponse(t.Settings.MaxConcurrentJobs, t.Settings.RequestsPerSecond, t.Settings.BillingServiceUrl,
            new SmtpSettingsResponse(t.Settings.Smtp.Host, t.Settings.Smtp.Port, t.Settings.Smtp.Username,
                !string.IsNullOrEmpty(t.Settings.Smtp.Password), t.Settings.Smtp.FromAddress, t.Settings.Smtp.UseTls),
            t.Settings.MaxCandidates, t.Settings.MaxSchedules, t.Settings.MaxActiveJobs),
        t.CreatedAt, t.UpdatedAt);
}

/// <summary>The tenant routes (operators only): HTTP in and out over <see cref="TenantService"/>.</summary>
public static class TenantsApi
{
    public static IEndpointRouteBuilder MapTenantsApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/tenants").WithTags("Tenants").RequireAuthorization(Policies.Operator)
            .ProducesProblem(401).ProducesProblem(403).ProducesProblem(503);
        group.MapPost("/", async (CreateTenantRequest body, TenantService tenants) =>
            {
                var tenant = await tenants.CreateAsync(body);
                return TypedResults.Created($"/tenants/{tenant.Id}", TenantResponse.From(tenant));
            })
            .WithSummary("Create a tenant.").ProducesProblem(400).ProducesProblem(409);
        group.MapGet("/", async (TenantService tenants, string? status, int? limit, int? offset, string? cursor) =>
                TypedResults.Ok(await tenants.PageAsync(status, limit, offset, cursor)))
            .WithSummary("List tenants (newest first), optionally by status.").ProducesProblem(400);
        group.MapGet("/{id}", async (string id, TenantService tenants) => TypedResults.Ok(TenantResponse.From(await tenants.GetAsync(id))))
            .WithSummary("One tenant.").ProducesProblem(404);
        group.MapPatch("/{id}", async (string id, UpdateTenantRequest body, TenantService tenants) =>
                TypedResults.Ok(TenantResponse.From(await tenants.UpdateAsync(id, body))))
            .WithSummary("Change a tenant's name or settings.").ProducesProblem(400).ProducesProblem(404);
        group.MapPost("/{id}/suspend", async (string id, HttpContext c, TenantService tenants) =>
                TypedResults.Ok(TenantResponse.From(await tenants.SetActiveAsync(c.Actor(), id, false))))
            .WithSummary("Suspend a tenant: its users get 403 until it is activated; its data is kept.").ProducesProblem(404);
        group.MapPost("/{id}/activate", async (string id, HttpContext c, TenantService tenants) =>
                TypedResults.Ok(TenantResponse.From(await tenants.SetActiveAsync(c.Actor(), id, true))))
            .WithSummary("Activate a suspended tenant.").ProducesProblem(404);
        return endpoints;
    }
}
