namespace Actors.Contracts.Users;

/// <summary>One user account, keyed by <see cref="GrainKeys.User"/> (the lower-cased email).</summary>
[Alias("Actors.IUserGrain")]
public interface IUserGrain : IGrainWithStringKey
{
    /// <summary>The user, or null when it never existed or was deleted.</summary>
    [Alias("Get"), SafeToRetry] Task<UserInfo?> GetAsync();

    [Alias("Create")] Task<UserInfo> CreateAsync(UserDraft draft);

    [Alias("Update")] Task<UserInfo> UpdateAsync(UserPatch patch);

    [Alias("Delete")] Task DeleteAsync();

    /// <summary>
    /// Checks a password. Unknown users and wrong passwords answer the same, after the same work;
    /// repeated failures lock the account for a while.
    /// </summary>
    [Alias("Login")] Task<LoginOutcome> LoginAsync(string password);

    /// <summary>
    /// False when the user is gone or its tokens were revoked (role or password changed) since a
    /// token of <paramref name="tokenVersion"/> was issued.
    /// </summary>
    [Alias("IsTokenValid"), Orleans.Concurrency.ReadOnly] Task<bool> IsTokenValidAsync(int tokenVersion);
}
