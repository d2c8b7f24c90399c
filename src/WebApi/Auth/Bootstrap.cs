using Actors.Contracts;
using Actors.Contracts.Tenants;
using Actors.Contracts.Users;
using Microsoft.Extensions.Options;

namespace Actors.WebApi.Auth;

/// <summary>
/// Creates the first operator (and optionally a tenant with its admin) from <see cref="BootstrapOptions"/>
/// (section <c>Bootstrap</c>), once the cluster answers. Accounts that already exist are left alone,
/// so restarts never reset a password. Nothing is created when no password is configured: outside
/// Development no default password exists.
/// </summary>
public sealed partial class Bootstrap(IOptions<BootstrapOptions> options, IClusterClient cluster, ILogger<Bootstrap> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Never hold up host start-up: the first grain call waits for the cluster connection.
        await Task.Yield();
        var settings = options.Value;
        var (operatorEmail, operatorPassword) = (settings.OperatorEmail, settings.OperatorPassword);
        if (string.IsNullOrWhiteSpace(operatorEmail) || string.IsNullOrWhiteSpace(operatorPassword))
        {
            return;
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await EnsureUserAsync(operatorEmail, null, UserRole.Operator, operatorPassword);
                if (settings.TenantId is { Length: > 0 } tenantId)
                {
                    var tenant = cluster.GetGrain<ITenantGrain>(GrainKeys.Tenant(tenantId));
                    if (await tenant.GetAsync() is null)
                    {
                        await tenant.CreateAsync(new TenantDraft(settings.TenantName ?? tenantId, new TenantSettings()));
                        LogCreated(logger, "tenant", tenantId);
                    }
                    if (settings.TenantAdminEmail is { Length: > 0 } adminEmail && settings.TenantAdminPassword is { Length: > 0 } adminPassword)
                    {
                        await EnsureUserAsync(adminEmail, tenantId, UserRole.Admin, adminPassword);
                    }
                }
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException && ex is not ActorsException)
            {
                // The cluster is not reachable yet: try again shortly.
                await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken);
            }
        }
    }

    private async Task EnsureUserAsync(string email, string? tenantId, UserRole role, string password)
    {
        var user = cluster.GetGrain<IUserGrain>(GrainKeys.User(email));
        if (await user.GetAsync() is null)
        {
            await user.CreateAsync(new UserDraft(tenantId, role, password));
            LogCreated(logger, Roles.Of(role), email);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Bootstrap created {Kind} {Name}")]
    private static partial void LogCreated(ILogger logger, string kind, string name);
}
