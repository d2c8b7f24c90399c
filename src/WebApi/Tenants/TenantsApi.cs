using Microsoft.Extensions.Options;
using Actors.Grains;
using Actors.Grains.Tenants;
using Actors.WebApi.Auth;
using Actors.WebApi.Infrastructure;
using Npgsql;

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

public sealed record TenantListItem(string Id, string Name, string Status, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public static class TenantsApi
{
    public static IEndpointRouteBuilder MapTenantsApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/tenants").WithTags("Tenants").RequireAuthorization(Policies.Operator)
            .ProducesProblem(401).ProducesProblem(403).ProducesProblem(503);
        group.MapPost("/", CreateAsync).Produces<TenantResponse>(201).WithSummary("Create a tenant.").ProducesProblem(400).ProducesProblem(409);
        group.MapGet("/", ListAsync).Produces<Page<TenantListItem>>().WithSummary("List tenants (newest first), optionally by status.").ProducesProblem(400);
        group.MapGet("/{id}", GetAsync).Produces<TenantResponse>().WithSummary("One tenant.").ProducesProblem(404);
        group.MapPatch("/{id}", UpdateAsync).Produces<TenantResponse>().WithSummary("Change a tenant's name or settings.").ProducesProblem(400).ProducesProblem(404);
        group.MapPost("/{id}/suspend", (string id, HttpContext c, IClusterClient cluster) => SetActiveAsync(id, false, c, cluster))
            .Produces<TenantResponse>().WithSummary("Suspend a tenant: its users get 403 until it is activated; its data is kept.").ProducesProblem(404);
        group.MapPost("/{id}/activate", (string id, HttpContext c, IClusterClient cluster) => SetActiveAsync(id, true, c, cluster))
            .Produces<TenantResponse>().WithSummary("Activate a suspended tenant.").ProducesProblem(404);
        return endpoints;
    }

    private static async Task<IResult> CreateAsync(CreateTenantRequest body, IClusterClient cluster, IOptions<OutboundOptions> outbound)
    {
        var errors = new Validator();
        errors.Slug("id", body.Id);
        errors.Required("name", body.Name, max: 200);
        ValidateSettings(errors, body.Settings, outbound.Value);
        errors.ThrowIfAny();

        var settings = Apply(new TenantSettings(), body.Settings);
        var tenant = await cluster.GetGrain<ITenantGrain>(GrainKeys.Tenant(body.Id!)).CreateAsync(new TenantDraft(body.Name!.Trim(), settings));
        return TypedResults.Created($"/tenants/{tenant.Id}", TenantResponse.From(tenant));
    }

    private static async Task<IResult> ListAsync(NpgsqlDataSource db, string? status, int? limit, int? offset, string? cursor)
    {
        var errors = new Validator();
        var page = Paging.From(limit, offset, cursor, errors);
        if (status is not null && status is not ("active" or "suspended"))
        {
            errors.Add("status", "must be active or suspended");
        }
        errors.ThrowIfAny();

        return TypedResults.Ok(await PageAsync(db, status, page));
    }

    /// <summary>A page of tenants, newest first, for the API and the console.</summary>
    internal static async Task<Page<TenantListItem>> PageAsync(NpgsqlDataSource db, string? status, Paging page) =>
        await PagedQuery.ReadAsync(db, "id, name, status, created_at, updated_at",
            "tenants", status is null ? "true" : "status = @status", new KeysetOrder("created_at", "id", "text"), page,
            [("status", status)],
            r => new TenantListItem(r.GetString(0), r.GetString(1), r.GetString(2), r.GetFieldValue<DateTimeOffset>(3), r.GetFieldValue<DateTimeOffset>(4)),
            status is null ? new CounterTotal("", "tenant.status") : new CounterTotal("", "tenant.status", status));

    private static async Task<IResult> GetAsync(string id, IClusterClient cluster) =>
        TypedResults.Ok(TenantResponse.From(await ReadAsync(cluster, id)));

    private static async Task<IResult> UpdateAsync(string id, UpdateTenantRequest body, IClusterClient cluster, IOptions<OutboundOptions> outbound,
        AccessCache access) =>
        TypedResults.Ok(TenantResponse.From(await ChangeAsync(cluster, access, outbound.Value, id, body)));

    /// <summary>Validates and applies a change of name or settings, for the API and the console.</summary>
    internal static async Task<TenantInfo> ChangeAsync(IClusterClient cluster, AccessCache access, OutboundOptions outbound, string id,
        UpdateTenantRequest body)
    {
        var errors = new Validator();
        if (body.Name is not null)
        {
            errors.Required("name", body.Name, max: 200);
        }
        ValidateSettings(errors, body.Settings, outbound);
        errors.ThrowIfAny();

        var s = body.Settings;
        var patch = new TenantPatch
        {
            Name = body.Name?.Trim(),
            MaxConcurrentJobs = s?.MaxConcurrentJobs,
            RequestsPerSecond = s?.RequestsPerSecond,
            BillingServiceUrl = s?.BillingServiceUrl,
            MaxCandidates = s?.MaxCandidates,
            MaxSchedules = s?.MaxSchedules,
            MaxActiveJobs = s?.MaxActiveJobs,
            Smtp = s?.Smtp is null ? null : ApplySmtp(new SmtpSettings(), s.Smtp),
        };
        var tenant = await Grain(id, cluster).UpdateAsync(patch);
        access.ForgetTenant(id);
        return tenant;
    }

    private static async Task<IResult> SetActiveAsync(string id, bool active, HttpContext context, IClusterClient cluster) =>
        TypedResults.Ok(TenantResponse.From(await ChangeStatusAsync(cluster, context.RequestServices.GetRequiredService<AccessCache>(), id, active,
            context.Actor().Email)));

    /// <summary>Suspends or activates a tenant, for the API and the console.</summary>
    internal static async Task<TenantInfo> ChangeStatusAsync(IClusterClient cluster, AccessCache access, string id, bool active, string actor)
    {
        var tenant = await Grain(id, cluster).SetActiveAsync(active, actor);
        // At once on this process; other API processes follow within AccessCache.Bound.
        access.ForgetTenant(id);
        return tenant;
    }

    /// <summary>One tenant, for the API and the console.</summary>
    internal static async Task<TenantInfo> ReadAsync(IClusterClient cluster, string id) =>
        await Grain(id, cluster).GetAsync() ?? throw ActorsException.NotFound($"Tenant '{id}'");

    private static ITenantGrain Grain(string id, IClusterClient cluster) =>
        TenantAccessMiddleware.Slug().IsMatch(id)
            ? cluster.GetGrain<ITenantGrain>(GrainKeys.Tenant(id))
            : throw ActorsException.NotFound($"Tenant '{id}'");

    private static void ValidateSettings(Validator errors, TenantSettingsBody? s, OutboundOptions outbound)
    {
        if (s is null)
        {
            return;
        }
        errors.Range("settings.max_concurrent_jobs", s.MaxConcurrentJobs, 1, 1000);
        errors.Range("settings.requests_per_second", s.RequestsPerSecond, 1, 1_000_000);
        errors.Range("settings.max_candidates", s.MaxCandidates, 0, 10_000_000);
        errors.Range("settings.max_schedules", s.MaxSchedules, 0, 10_000);
        errors.Range("settings.max_active_jobs", s.MaxActiveJobs, 0, 1_000_000);
        errors.HttpUrl("settings.billing_service_url", s.BillingServiceUrl);
        if (!string.IsNullOrEmpty(s.BillingServiceUrl) && Uri.TryCreate(s.BillingServiceUrl, UriKind.Absolute, out var billing)
            && OutboundPolicy.CheckHost(billing.IdnHost, outbound) is { } billingRefusal)
        {
            errors.Add("settings.billing_service_url", "host " + billingRefusal);
        }
        if (s.Smtp is { } smtp)
        {
            errors.Length("settings.smtp.host", smtp.Host, 253);
            if (!string.IsNullOrEmpty(smtp.Host) && OutboundPolicy.CheckHost(smtp.Host, outbound) is { } smtpRefusal)
            {
                errors.Add("settings.smtp.host", smtpRefusal);
            }
            errors.Range("settings.smtp.port", smtp.Port, 1, 65535);
            errors.Length("settings.smtp.username", smtp.Username, 256);
            errors.Length("settings.smtp.password", smtp.Password, 256);
            if (smtp.FromAddress is not null)
            {
                errors.Email("settings.smtp.from_address", smtp.FromAddress);
            }
        }
    }

    private static TenantSettings Apply(TenantSettings current, TenantSettingsBody? s) => s is null ? current : current with
    {
        MaxConcurrentJobs = s.MaxConcurrentJobs ?? current.MaxConcurrentJobs,
        RequestsPerSecond = s.RequestsPerSecond ?? current.RequestsPerSecond,
        MaxCandidates = s.MaxCandidates ?? current.MaxCandidates,
        MaxSchedules = s.MaxSchedules ?? current.MaxSchedules,
        MaxActiveJobs = s.MaxActiveJobs ?? current.MaxActiveJobs,
        BillingServiceUrl = string.IsNullOrEmpty(s.BillingServiceUrl) ? current.BillingServiceUrl : s.BillingServiceUrl,
        Smtp = s.Smtp is null ? current.Smtp : ApplySmtp(current.Smtp, s.Smtp),
    };

    private static SmtpSettings ApplySmtp(SmtpSettings current, SmtpSettingsBody s) => current with
    {
        Host = s.Host ?? current.Host,
        Port = s.Port ?? current.Port,
        Username = s.Username ?? current.Username,
        Password = s.Password ?? current.Password,
        FromAddress = s.FromAddress ?? current.FromAddress,
        UseTls = s.UseTls ?? current.UseTls,
    };
}
