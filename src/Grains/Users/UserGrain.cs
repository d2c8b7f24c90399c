using Actors.Grains.Storage;
using Actors.Contracts.Users;
using Actors.Contracts;
using Microsoft.AspNetCore.Identity;
using Actors.Data.Users;

namespace Actors.Grains.Users;


public sealed class UserGrain(
    [PersistentState("user", Storage.DomainGrainStorage.Name)] IPersistentState<UserState> state,
    TimeProvider clock) : Grain, IUserGrain
{
    public const int MaxFailedLogins = 5;
    public static readonly TimeSpan Lockout = TimeSpan.FromMinutes(5);

    private static readonly PasswordHasher<string> Hasher = new();

    // A hash of a random password: unknown users are checked against it, so they cost the same
    // time as known ones and cannot be told apart by timing.
    private static readonly string DecoyHash = Hasher.HashPassword("", Guid.NewGuid().ToString());

    // Failures against an address that has no account are counted in memory only.
    private int _unknownFailures;
    private DateTimeOffset? _unknownLockedUntil;

    private bool Exists => state.RecordExists && !state.State.Deleted;
    private string Email => this.GetPrimaryKeyString()["user:".Length..];

    public Task<UserInfo?> GetAsync() => Task.FromResult(Exists ? ToInfo() : null);

    public async Task<UserInfo> CreateAsync(UserDraft draft)
    {
        if (Exists)
        {
            throw ActorsException.Conflict($"A user with email '{Email}' already exists.");
        }
        var now = clock.GetUtcNow();
        state.State = new UserState
        {
            Email = Email,
            TenantId = draft.TenantId,
            Role = draft.Role,
            PasswordHash = Hasher.HashPassword(Email, draft.Password),
            CreatedAt = now,
            UpdatedAt = now,
            // A re-created account never accepts the tokens of the deleted one.
            TokenVersion = state.RecordExists ? state.State.TokenVersion + 1 : 1,
        };
        await state.PersistAsync(this);
        return ToInfo();
    }

    public async Task<UserInfo> UpdateAsync(UserPatch patch)
    {
        EnsureExists();
        var now = clock.GetUtcNow();
        if (patch.Role is { } role && role != state.State.Role)
        {
            state.State.Role = role;
            state.State.TokenVersion++;
        }
        if (patch.Password is { } password)
        {
            state.State.PasswordHash = Hasher.HashPassword(Email, password);
            state.State.TokenVersion++;
            state.State.FailedLogins = 0;
            state.State.LockedUntil = null;
        }
        state.State.UpdatedAt = now;
        await state.PersistAsync(this);
        return ToInfo();
    }

    public async Task DeleteAsync()
    {
        EnsureExists();
        var now = clock.GetUtcNow();
        state.State.Deleted = true;
        state.State.UpdatedAt = now;
        state.State.TokenVersion++;
        await state.PersistAsync(this);
    }

    public async Task<LoginOutcome> LoginAsync(string password)
    {
        var now = clock.GetUtcNow();
        if (!Exists)
        {
            Hasher.VerifyHashedPassword("", DecoyHash, password);
            if (_unknownLockedUntil > now)
            {
                return Locked(_unknownLockedUntil.Value, now);
            }
            if (++_unknownFailures >= MaxFailedLogins)
            {
                _unknownFailures = 0;
                _unknownLockedUntil = now + Lockout;
            }
            return new LoginOutcome(LoginResult.InvalidCredentials, null, 0);
        }

        var s = state.State;
        if (s.LockedUntil > now)
        {
            return Locked(s.LockedUntil.Value, now);
        }
        var verdict = Hasher.VerifyHashedPassword(Email, s.PasswordHash, password);
        if (verdict == PasswordVerificationResult.Failed)
        {
            s.FailedLogins++;
            if (s.FailedLogins >= MaxFailedLogins)
            {
                s.FailedLogins = 0;
                s.LockedUntil = now + Lockout;
            }
            await state.PersistAsync(this);
            return new LoginOutcome(LoginResult.InvalidCredentials, null, 0);
        }
        if (verdict == PasswordVerificationResult.SuccessRehashNeeded)
        {
            s.PasswordHash = Hasher.HashPassword(Email, password);
        }
        if (s.FailedLogins != 0 || s.LockedUntil is not null || verdict == PasswordVerificationResult.SuccessRehashNeeded)
        {
            s.FailedLogins = 0;
            s.LockedUntil = null;
            await state.PersistAsync(this);
        }
        return new LoginOutcome(LoginResult.Succeeded, ToInfo(), 0);
    }

    public Task<bool> IsTokenValidAsync(int tokenVersion) =>
        Task.FromResult(Exists && tokenVersion == state.State.TokenVersion);

    private static LoginOutcome Locked(DateTimeOffset until, DateTimeOffset now) =>
        new(LoginResult.LockedOut, null, (int)Math.Ceiling((until - now).TotalSeconds));

    private void EnsureExists()
    {
        if (!Exists)
        {
            throw ActorsException.NotFound($"User '{Email}'");
        }
    }

    private UserInfo ToInfo()
    {
        var s = state.State;
        return new UserInfo(s.Email, s.TenantId, s.Role, s.CreatedAt, s.UpdatedAt, s.TokenVersion);
    }
}
