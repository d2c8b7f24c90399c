using System.Collections.Concurrent;
using Actors.Contracts;
using Actors.Contracts.Tenants;
using Actors.Contracts.Users;

namespace Actors.WebApi.Auth;

/// <summary>
/// What every authenticated request needs before its endpoint, kept in this API process for at most
/// <see cref="Bound"/> so the steady path makes no grain call:
/// <list type="bullet">
/// <item>a token's version found valid by its user grain (a role or password change, or a deletion,
/// bumps the version: the old token is refused here within the bound, at once on the process that
/// made the change);</item>
/// <item>a tenant's admission lease: a batch of request-rate tokens taken from the tenant grain's
/// bucket (so the rate holds across processes), spent locally; a suspended or unknown tenant's
/// refusal is kept for the same bound.</item>
/// </list>
/// </summary>
public sealed class AccessCache(IClusterClient cluster, TimeProvider clock)
{
    /// <summary>The longest a revocation or a suspension takes to reach every API process.</summary>
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(1);

    // Bounds on memory: past them a dictionary is emptied and the next requests ask their grains again.
    private const int MaxEntries = 100_000;

    private readonly ConcurrentDictionary<(string Email, int Version), long> _validTokens = new();
    private readonly ConcurrentDictionary<string, Lease> _leases = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (TenantSettings Settings, long At)> _settings = new(StringComparer.Ordinal);
    // Bumped by ForgetUser: an answer asked for before the change is not kept after it.
    private long _userGeneration;

    public async ValueTask<bool> IsTokenValidAsync(string email, int version)
    {
        var now = clock.GetTimestamp();
        if (_validTokens.TryGetValue((email, version), out var checkedAt) && clock.GetElapsedTime(checkedAt, now) < Bound)
        {
            return true;
        }
        var generation = Interlocked.Read(ref _userGeneration);
        var valid = await cluster.GetGrain<IUserGrain>(GrainKeys.User(email)).IsTokenValidAsync(version);
        if (valid && generation == Interlocked.Read(ref _userGeneration))
        {
            if (_validTokens.Count >= MaxEntries)
            {
                _validTokens.Clear();
            }
            _validTokens[(email, version)] = now;
        }
        else if (!valid)
        {
            _validTokens.TryRemove((email, version), out _);
        }
        return valid;
    }

    public async ValueTask<Admission> AdmitAsync(string tenant)
    {
        if (_leases.Count >= MaxEntries && !_leases.ContainsKey(tenant))
        {
            _leases.Clear(); // an operator naming ever new X-Tenant-Id values must not grow this without bound
        }
        var lease = _leases.GetOrAdd(tenant, _ => new Lease());
        while (true)
        {
            Task<Admission> pending;
            lock (lease)
            {
                if (lease.Answer is { } answer && clock.GetElapsedTime(lease.TakenAt) < Bound)
                {
                    if (answer.Result != AdmissionResult.Admitted)
                    {
                        return answer;
                    }
                    if (lease.Tokens > 0)
                    {
                        lease.Tokens--;
                        return Admission.Admitted;
                    }
                }
                // Requests that find no token share one grain call, sized for all of them.
                lease.Waiting++;
                pending = lease.Pending ??= RefreshAsync(tenant, lease);
            }
            var fresh = await pending;
            if (fresh.Result == AdmissionResult.RateLimited)
            {
                return fresh;
            }
            // Admitted: take a token of the new lease; refused: answer the cached refusal.
        }
    }

    private async Task<Admission> RefreshAsync(string tenant, Lease lease)
    {
        await Task.Yield(); // out of the caller's lock; requests arriving meanwhile join this call
        int waiting;
        lock (lease)
        {
            waiting = lease.Waiting;
            lease.Waiting = 0;
        }
        try
        {
            var fresh = await cluster.GetGrain<ITenantGrain>(GrainKeys.Tenant(tenant)).LeaseAsync(waiting);
            lock (lease)
            {
                if (fresh.Result != AdmissionResult.RateLimited)
                {
                    lease.Answer = fresh;
                    lease.TakenAt = clock.GetTimestamp();
                    lease.Tokens = fresh.Result == AdmissionResult.Admitted ? fresh.Granted : 0;
                }
                lease.Pending = null;
                // Requests that joined after the count was taken try the new lease first and count
                // themselves again only if they need another one.
                lease.Waiting = 0;
            }
            return fresh;
        }
        catch
        {
            lock (lease)
            {
                lease.Pending = null;
                lease.Waiting = 0;
            }
            throw;
        }
    }

    /// <summary>
    /// The tenant's settings for the caps a create checks (<c>max_candidates</c>, ...), at most
    /// <see cref="Bound"/> old: a create makes no grain call for them but its own.
    /// </summary>
    public async ValueTask<TenantSettings> SettingsAsync(string tenant)
    {
        if (_settings.TryGetValue(tenant, out var cached) && clock.GetElapsedTime(cached.At) < Bound)
        {
            return cached.Settings;
        }
        var settings = (await cluster.GetGrain<ITenantGrain>(GrainKeys.Tenant(tenant)).GetAsync())?.Settings ?? new TenantSettings();
        if (_settings.Count >= MaxEntries)
        {
            _settings.Clear();
        }
        _settings[tenant] = (settings, clock.GetTimestamp());
        return settings;
    }

    /// <summary>This process changed the user: its tokens are checked again at their next request.</summary>
    public void ForgetUser(string email)
    {
        Interlocked.Increment(ref _userGeneration);
        var key = GrainKeys.User(email)["user:".Length..];
        foreach (var entry in _validTokens.Keys.Where(k => string.Equals(k.Email, key, StringComparison.OrdinalIgnoreCase)))
        {
            _validTokens.TryRemove(entry, out _);
        }
    }

    /// <summary>This process changed the tenant (suspended, activated, settings): its next request asks the grain.</summary>
    public void ForgetTenant(string tenant)
    {
        _leases.TryRemove(tenant, out _);
        _settings.TryRemove(tenant, out _);
    }

    private sealed class Lease
    {
        public Admission? Answer;
        public long TakenAt;
        public int Tokens;
        public int Waiting;
        public Task<Admission>? Pending;
    }
}
