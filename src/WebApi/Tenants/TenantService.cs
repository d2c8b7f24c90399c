using Actors.Contracts;
using Actors.Contracts.Tenants;
using Actors.WebApi.Auth;
using Actors.WebApi.Infrastructure;
using Microsoft.Extensions.Options;
using Npgsql;
using Actors.Data;
using Actors.Data.Tenants;

namespace Actors.WebApi.Tenants;

/// <summary>
/// The tenants capability (operators): create a tenant, change its name and settings (checked once,
/// outbound hosts included), suspend and activate it, and the read side (one, a page). The JSON routes
/// (<see cref="TenantsApi"/>) and the console's tenant pages are adapters over it.
/// </summary>
public sealed class TenantService(IClusterClient cluster, NpgsqlDataSource db, AccessCache access, IOptions<OutboundOptions> outboundOptions)
{
    public async Task<TenantInfo> CreateAsync(CreateTenantRequest body)
    {
        var errors = new Validator();
        errors.Slug("id", body.Id);
        errors.Required("name", body.Name, max: 200);
        ValidateSettings(errors, body.Settings, outboundOptions.Value);
        errors.ThrowIfAny();

        var settings = Apply(new TenantSettings(), body.Settings);
        return await cluster.GetGrain<ITenantGrain>(GrainKeys.Tenant(body.Id!)).CreateAsync(new TenantDraft(body.Name!.Trim(), settings));
    }

    /// <summary>A page of tenants, newest first, optionally by status.</summary>
    public async Task<Page<TenantListItem>> PageAsync(string? status, int? limit, int? offset, string? cursor)
    {
        var errors = new Validator();
        var page = PagingRequest.From(limit, offset, cursor, errors);
        errors.OneOf("status", status, TenantQueries.Statuses);
        errors.ThrowIfAny();

        return await TenantQueries.PageAsync(db, status, page);
    }

    public async Task<TenantInfo> GetAsync(string id) =>
        await Grain(id).GetAsync() ?? throw ActorsException.NotFound($"Tenant '{id}'");

    /// <summary>Changes the name or settings; this process forgets its cached copy at once.</summary>
    public async Task<TenantInfo> UpdateAsync(string id, UpdateTenantRequest body)
    {
        var errors = new Validator();
        if (body.Name is not null)
        {
            errors.Required("name", body.Name, max: 200);
        }
        ValidateSettings(errors, body.Settings, outboundOptions.Value);
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
        var tenant = await Grain(id).UpdateAsync(patch);
        access.ForgetTenant(id);
        return tenant;
    }

    /// <summary>Suspends or activates a tenant: its users are refused (or admitted) at once here, within AccessCache.Bound elsewhere.</summary>
    public async Task<TenantInfo> SetActiveAsync(RequestActor actor, string id, bool active)
    {
        var tenant = await Grain(id).SetActiveAsync(active, actor.Email);
        access.ForgetTenant(id);
        return tenant;
    }

    private ITenantGrain Grain(string id) =>
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
