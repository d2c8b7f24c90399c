using Actors.Data.Storage;
using Npgsql;
using NpgsqlTypes;

namespace Actors.Data.Candidates;

/// <summary>
/// <see cref="CandidateState"/> in <c>candidates</c>; the history entries a write carries are appended
/// to <c>candidate_history</c> in the same statement, numbered from <c>history_count</c>.
/// </summary>
public sealed class CandidateTable : TenantEntityTable<CandidateState>
{
    /// <summary>The counter of candidates by status, per tenant (a list's total, the cap).</summary>
    public const string StatusCounter = "candidate.status";

    /// <summary>The counter of candidates by provisioning state, per tenant.</summary>
    public const string ProvisioningCounter = "candidate.provisioning";

    protected override string Table => "candidates";

    protected override IReadOnlyList<Counted> CountedBy { get; } =
        [new(StatusCounter, "status"), new(ProvisioningCounter, "provisioning")];

    protected override IReadOnlyList<Column<CandidateState>> Columns { get; } =
    [
        Text("tenant_id", s => s.TenantId, (s, v) => s.TenantId = v!),
        Text("company_name", s => s.CompanyName, (s, v) => s.CompanyName = v!),
        Text("contact_email", s => s.ContactEmail, (s, v) => s.ContactEmail = v!),
        Text("contact_phone", s => s.ContactPhone, (s, v) => s.ContactPhone = v),
        new("products", NpgsqlDbType.Array | NpgsqlDbType.Text, s => s.Products.ToArray(),
            (s, r, i) => s.Products = r.GetFieldValue<string[]>(i).ToList()),
        Enum("status", s => s.Status, (s, v) => s.Status = v),
        Enum("provisioning", s => s.Provisioning, (s, v) => s.Provisioning = v),
        Text("provider_id", s => s.ProviderId, (s, v) => s.ProviderId = v),
        Text("decided_by", s => s.DecidedBy, (s, v) => s.DecidedBy = v),
        Time("decided_at", s => s.DecidedAt, (s, v) => s.DecidedAt = v),
        Text("rejection_reason", s => s.RejectionReason, (s, v) => s.RejectionReason = v),
        Text("provisioning_error", s => s.ProvisioningError, (s, v) => s.ProvisioningError = v),
        Text("request_hash", s => s.RequestHash, (s, v) => s.RequestHash = v!),
        Text("decision_key", s => s.DecisionKey, (s, v) => s.DecisionKey = v),
        Time("created_at", s => s.CreatedAt, (s, v) => s.CreatedAt = v!.Value),
        Time("updated_at", s => s.UpdatedAt, (s, v) => s.UpdatedAt = v!.Value),
        // Entries stored so far; the state carries only the ones this write appends.
        new("history_count", NpgsqlDbType.Integer, s => s.HistoryFlushed + s.History.Count,
            (s, r, i) => { s.HistoryFlushed = r.GetInt32(i); s.History = []; }),
    ];

    protected override void SetId(CandidateState state, Guid id) => state.Id = id;

    protected override void SetVersion(CandidateState state, long version) => state.Version = version;

    protected override string AppendCte(int n) => $"""
        history AS (INSERT INTO candidate_history (candidate_id, seq, at, actor, action, from_status, to_status, note)
            SELECT $1, h.seq, h.at, h.actor, h.action, h.from_status, h.to_status, h.note
              FROM unnest(${n}::integer[], ${n + 1}::timestamptz[], ${n + 2}::text[], ${n + 3}::text[], ${n + 4}::text[],
                          ${n + 5}::text[], ${n + 6}::text[]) AS h(seq, at, actor, action, from_status, to_status, note)
             WHERE EXISTS (SELECT 1 FROM w)
            ON CONFLICT (candidate_id, seq) DO NOTHING)
        """;

    protected override void AppendParameters(CandidateState state, NpgsqlParameterCollection p)
    {
        var h = state.History;
        p.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer, Value = h.Select((_, i) => state.HistoryFlushed + i).ToArray() });
        p.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, Value = h.Select(e => e.At.UtcDateTime).ToArray() });
        p.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = h.Select(e => e.Actor).ToArray() });
        p.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = h.Select(e => e.Action).ToArray() });
        p.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = h.Select(e => e.From).ToArray() });
        p.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = h.Select(e => e.To).ToArray() });
        p.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = h.Select(e => e.Note).ToArray() });
    }

    protected override void AfterWrite(CandidateState state)
    {
        state.HistoryFlushed += state.History.Count;
        state.History.Clear();
    }
}
