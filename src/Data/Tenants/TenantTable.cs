using System.Text.Json;
using Actors.Data.Storage;
using NpgsqlTypes;
using Actors.Contracts;
using Actors.Contracts.Tenants;

namespace Actors.Data.Tenants;

/// <summary>
/// <see cref="TenantState"/> in <c>tenants</c>. The settings are a jsonb document without the SMTP
/// password, which has a column of its own (operators read <c>settings</c>), encrypted by
/// <see cref="SecretProtector"/>.
/// </summary>
public sealed class TenantTable(SecretProtector secrets) : StateTable<TenantState>
{
    protected override string Table => "tenants";
    protected override string KeyColumn => "id";
    protected override NpgsqlDbType KeyType => NpgsqlDbType.Text;
    protected override string TenantOf => "''";
    /// <summary>The counter of tenants by status (platform-wide, tenant <c>''</c>).</summary>
    public const string StatusCounter = "tenant.status";

    protected override IReadOnlyList<Counted> CountedBy { get; } = [new(StatusCounter, "status")];

    protected override IReadOnlyList<Column<TenantState>> Columns => _columns ??=
    [
        Text("name", s => s.Name, (s, v) => s.Name = v!),
        Enum("status", s => s.Status, (s, v) => s.Status = v),
        new("settings", NpgsqlDbType.Jsonb,
            s => JsonSerializer.Serialize(s.Settings with { Smtp = s.Settings.Smtp with { Password = null } }, ActorsJson.Options),
            (s, r, i) => s.Settings = JsonSerializer.Deserialize<TenantSettings>(r.GetString(i), ActorsJson.Options) ?? new()),
        // After settings: it completes them. Encrypted at rest.
        Text("smtp_password", s => secrets.Protect(s.Settings.Smtp.Password),
            (s, v) => s.Settings = s.Settings with { Smtp = s.Settings.Smtp with { Password = secrets.Unprotect(v) } }),
        Text("status_changed_by", s => s.StatusChangedBy, (s, v) => s.StatusChangedBy = v),
        Time("created_at", s => s.CreatedAt, (s, v) => s.CreatedAt = v!.Value),
        Time("updated_at", s => s.UpdatedAt, (s, v) => s.UpdatedAt = v!.Value),
    ];

    private IReadOnlyList<Column<TenantState>>? _columns;

    public override object Key(GrainId grainId) => GrainKeys.SlugOf(grainId.Key.ToString()!);

    protected override void SetKey(TenantState state, GrainId grainId) => state.Slug = (string)Key(grainId);

    protected override void SetVersion(TenantState state, long version) => state.Version = version;
}
