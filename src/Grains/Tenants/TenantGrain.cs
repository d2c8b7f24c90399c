using Actors.Grains.Storage;
using Actors.Contracts.Tenants;
using Actors.Contracts;
using Actors.Data.Tenants;

namespace Actors.Grains.Tenants;


public sealed class TenantGrain(
    [PersistentState("tenant", Storage.DomainGrainStorage.Name)] IPersistentState<TenantState> state,
    TimeProvider clock) : Grain, ITenantGrain
{
    private string Slug => GrainKeys.SlugOf(this.GetPrimaryKeyString());

    // The request-rate token bucket lives in memory only: it is a rate, not data. A tenant grain
    // that moves to another silo starts with a full bucket, which is at most one second of burst.
    private double _tokens = double.NaN;
    private long _refilledAt;

    public Task<Admission> LeaseAsync(int waiting) =>
        Task.FromResult(Take(Math.Max(Math.Max(1, waiting), state.RecordExists ? state.State.Settings.RequestsPerSecond / 20 : 1)));

    /// <summary>Takes up to <paramref name="wanted"/> whole tokens (at least one, or a refusal).</summary>
    private Admission Take(int wanted)
    {
        if (!state.RecordExists)
        {
            return Admission.NotFound;
        }
        if (state.State.Status != TenantStatus.Active)
        {
            return Admission.Suspended;
        }
        var rate = Math.Max(1, state.State.Settings.RequestsPerSecond);
        var now = clock.GetTimestamp();
        if (double.IsNaN(_tokens))
        {
            _tokens = rate;
        }
        else
        {
            var elapsed = clock.GetElapsedTime(_refilledAt, now).TotalSeconds;
            _tokens = Math.Min(rate, _tokens + elapsed * rate);
        }
        _refilledAt = now;
        if (_tokens >= 1)
        {
            var granted = Math.Min(wanted, (int)Math.Floor(_tokens));
            _tokens -= granted;
            return new Admission(AdmissionResult.Admitted, 0, granted);
        }
        return new Admission(AdmissionResult.RateLimited, (1 - _tokens) / rate, 0);
    }

    public Task<TenantInfo?> GetAsync() => Task.FromResult(state.RecordExists ? ToInfo() : null);

    public async Task<TenantInfo> CreateAsync(TenantDraft draft)
    {
        if (state.RecordExists)
        {
            throw ActorsException.Conflict($"Tenant '{Slug}' already exists.");
        }
        var now = clock.GetUtcNow();
        state.State = new TenantState
        {
            Slug = Slug,
            Name = draft.Name,
            Status = TenantStatus.Active,
            Settings = draft.Settings,
            CreatedAt = now,
            UpdatedAt = now,
            Version = 1,
        };
        await state.PersistAsync(this);
        return ToInfo();
    }

    public async Task<TenantInfo> UpdateAsync(TenantPatch patch)
    {
        EnsureExists();
        var current = state.State.Settings;
        state.State.Name = patch.Name ?? state.State.Name;
        state.State.Settings = current with
        {
            MaxConcurrentJobs = patch.MaxConcurrentJobs ?? current.MaxConcurrentJobs,
            RequestsPerSecond = patch.RequestsPerSecond ?? current.RequestsPerSecond,
            MaxCandidates = patch.MaxCandidates ?? current.MaxCandidates,
            MaxSchedules = patch.MaxSchedules ?? current.MaxSchedules,
            MaxActiveJobs = patch.MaxActiveJobs ?? current.MaxActiveJobs,
            BillingServiceUrl = patch.BillingServiceUrl is null ? current.BillingServiceUrl
                : patch.BillingServiceUrl.Length == 0 ? null : patch.BillingServiceUrl,
            Smtp = patch.Smtp is null ? current.Smtp
                // An omitted password keeps the stored one: responses never echo it back.
                : patch.Smtp with { Password = patch.Smtp.Password ?? current.Smtp.Password },
        };
        await SaveAsync();
        return ToInfo();
    }

    public async Task<TenantInfo> SetActiveAsync(bool active, string actor)
    {
        EnsureExists();
        var target = active ? TenantStatus.Active : TenantStatus.Suspended;
        if (state.State.Status != target)
        {
            state.State.Status = target;
            state.State.StatusChangedBy = actor;
            await SaveAsync();
        }
        return ToInfo();
    }

    private async Task SaveAsync()
    {
        state.State.UpdatedAt = clock.GetUtcNow();
        state.State.Version++;
        await state.PersistAsync(this);
        // Its job dispatcher starts (or stops starting) jobs by these settings: it looks again now.
        GrainFactory.GetGrain<Contracts.Jobs.IJobDispatcherGrain>(Jobs.JobDispatcherGrain.Key(Slug)).NotifyAsync().Ignore();
    }

    private void EnsureExists()
    {
        if (!state.RecordExists)
        {
            throw ActorsException.NotFound($"Tenant '{Slug}'");
        }
    }

    private TenantInfo ToInfo()
    {
        var s = state.State;
        return new TenantInfo(s.Slug, s.Name, s.Status, s.Settings, s.CreatedAt, s.UpdatedAt, s.Version);
    }
}
