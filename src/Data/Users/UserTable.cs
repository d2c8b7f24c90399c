using Actors.Data.Storage;
using NpgsqlTypes;

namespace Actors.Data.Users;

/// <summary><see cref="UserState"/> in <c>users</c>; accounts not deleted are counted per tenant ('' for operators).</summary>
public sealed class UserTable : StateTable<UserState>
{
    private const string Prefix = "user:";

    protected override string Table => "users";
    protected override string KeyColumn => "email";
    protected override NpgsqlDbType KeyType => NpgsqlDbType.Text;
    protected override string TenantOf => "coalesce(tenant_id, '')";
    /// <summary>The counter of accounts not deleted, per tenant ('' for operators; key <c>active</c>).</summary>
    public const string Counter = "user";

    protected override IReadOnlyList<Counted> CountedBy { get; } = [new(Counter, "CASE WHEN deleted THEN NULL ELSE 'active' END")];

    protected override IReadOnlyList<Column<UserState>> Columns { get; } =
    [
        Text("tenant_id", s => s.TenantId, (s, v) => s.TenantId = v),
        Enum("role", s => s.Role, (s, v) => s.Role = v),
        Text("password_hash", s => s.PasswordHash, (s, v) => s.PasswordHash = v!),
        Bool("deleted", s => s.Deleted, (s, v) => s.Deleted = v),
        Time("created_at", s => s.CreatedAt, (s, v) => s.CreatedAt = v!.Value),
        Time("updated_at", s => s.UpdatedAt, (s, v) => s.UpdatedAt = v!.Value),
        Int("token_version", s => s.TokenVersion, (s, v) => s.TokenVersion = v),
        Int("failed_logins", s => s.FailedLogins, (s, v) => s.FailedLogins = v),
        Time("locked_until", s => s.LockedUntil, (s, v) => s.LockedUntil = v),
    ];

    public override object Key(GrainId grainId) => grainId.Key.ToString()![Prefix.Length..];

    protected override void SetKey(UserState state, GrainId grainId) => state.Email = (string)Key(grainId);
}
