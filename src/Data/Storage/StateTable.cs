using Npgsql;
using NpgsqlTypes;
using Actors.Contracts;

namespace Actors.Data.Storage;

/// <summary>One column of a state table: how a state member is written and read back.</summary>
public sealed record Column<T>(string Name, NpgsqlDbType Type, Func<T, object?> Get, Action<T, NpgsqlDataReader, int> Set);

/// <summary>A counter kept by a table's writes: <see cref="Key"/> is an SQL expression over the row (NULL: not counted).</summary>
public sealed record Counted(string Kind, string Key);

/// <summary>The part of a state table the storage uses without knowing its state type.</summary>
public interface IStateTable
{
    Type StateType { get; }

    /// <summary>Reads and writes go through a <see cref="GroupCommit"/> (tables written in bursts).</summary>
    bool Grouped { get; }
}

/// <summary>
/// A grain state stored as one row of its own table. The SQL is built once per table: a read is one
/// SELECT by key; a write is one statement (one round trip, one implicit transaction) that inserts or
/// updates the row where its version matches, appends what <see cref="AppendCte"/> adds (history),
/// and adds the row's counter deltas to one stripe of <c>counters</c>. A write that matched no row
/// answers no version: the storage reports it as an ETag conflict.
/// </summary>
public abstract class StateTable<T> : IStateTable
{
    private string? _select;
    private string? _insert;
    private string? _update;

    public Type StateType => typeof(T);

    protected abstract string Table { get; }
    protected abstract string KeyColumn { get; }
    protected abstract NpgsqlDbType KeyType { get; }

    /// <summary>Every stored member but the key and the version.</summary>
    protected abstract IReadOnlyList<Column<T>> Columns { get; }

    /// <summary>The SQL expression naming the row's tenant for its counters (<c>''</c>: platform-wide).</summary>
    protected abstract string TenantOf { get; }

    /// <summary>The counters this table's writes keep (<see cref="Counters"/>).</summary>
    protected virtual IReadOnlyList<Counted> CountedBy => [];

    /// <summary>The key of the row a grain is stored in, from its id.</summary>
    public abstract object Key(GrainId grainId);

    /// <summary>
    /// For grains keyed (id, tenant): the tenant column, which a read must match too, so the grain of
    /// an id in another tenant finds no row (404) instead of this tenant's.
    /// </summary>
    protected virtual string? ScopeColumn => null;

    /// <summary>Sets the state's own copy of its key (the key column is not in <see cref="Columns"/>).</summary>
    protected abstract void SetKey(T state, GrainId grainId);

    /// <summary>Copies the row's version into the state, for states that carry it (candidates, tenants).</summary>
    protected virtual void SetVersion(T state, long version) { }

    /// <summary>
    /// An extra data-modifying CTE run only when the row was written (CTE <c>w</c> has a row); its
    /// parameters come from <see cref="AppendParameters"/>, numbered after the columns'.
    /// </summary>
    protected virtual string? AppendCte(int firstParameter) => null;

    protected virtual void AppendParameters(T state, NpgsqlParameterCollection parameters) { }

    /// <summary>Called after a write stored the row (the history it carried is now in its table).</summary>
    protected virtual void AfterWrite(T state) { }

    /// <summary>
    /// True for a table written in bursts by many grains at once (jobs): its reads and writes go through
    /// a <see cref="Storage.GroupCommit"/>, so concurrent ones share a round trip and a commit.
    /// </summary>
    public virtual bool Grouped => false;

    public async Task<(T State, long Version)?> ReadAsync(NpgsqlDataSource db, GroupCommit? group, GrainId grainId, Func<T> create)
    {
        void Bind(NpgsqlParameterCollection p, short stripe)
        {
            p.Add(new NpgsqlParameter { NpgsqlDbType = KeyType, Value = Key(grainId) });
            if (ScopeColumn is not null)
            {
                grainId.GetGuidKey(out var scope);
                p.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = scope ?? "" });
            }
        }
        async Task<(T State, long Version)?> Read(NpgsqlDataReader reader)
        {
            if (!await reader.ReadAsync())
            {
                return null;
            }
            var state = create();
            SetKey(state, grainId);
            var version = reader.GetInt64(0);
            for (var i = 0; i < Columns.Count; i++)
            {
                Columns[i].Set(state, reader, i + 1);
            }
            SetVersion(state, version);
            return (state, version);
        }
        return await RunAsync(db, group, _select ??= BuildSelect(), Bind, Read);
    }

    /// <summary>Stores the state; answers its new version, or null when <paramref name="expected"/> did not match.</summary>
    public async Task<long?> WriteAsync(NpgsqlDataSource db, GroupCommit? group, GrainId grainId, T state, long? expected)
    {
        // Bound when the statement is sent (by a group-commit lane, maybe a little later): the grain awaits
        // its write without touching its state, so what is bound is what it asked to store.
        void Bind(NpgsqlParameterCollection p, short stripe)
        {
            p.Add(new NpgsqlParameter { NpgsqlDbType = KeyType, Value = Key(grainId) });
            p.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint, Value = expected ?? 0L });
            p.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Smallint, Value = stripe });
            foreach (var column in Columns)
            {
                p.Add(new NpgsqlParameter { NpgsqlDbType = column.Type, Value = column.Get(state) ?? DBNull.Value });
            }
            AppendParameters(state, p);
        }
        static async Task<long?> Read(NpgsqlDataReader reader) => await reader.ReadAsync() && !reader.IsDBNull(0) ? reader.GetInt64(0) : null;
        var sql = expected is null ? _insert ??= BuildWrite(insert: true) : _update ??= BuildWrite(insert: false);
        var version = await RunAsync(db, group, sql, Bind, Read);
        if (version is null)
        {
            return null;
        }
        SetVersion(state, version.Value);
        AfterWrite(state);
        return version;
    }

    private static async Task<TResult> RunAsync<TResult>(NpgsqlDataSource db, GroupCommit? group, string sql,
        Action<NpgsqlParameterCollection, short> bind, Func<NpgsqlDataReader, Task<TResult>> read)
    {
        if (group is not null)
        {
            return await group.RunAsync(sql, bind, read);
        }
        await using var command = db.CreateCommand(sql);
        bind(command.Parameters, Counters.AnyStripe());
        await using var reader = await command.ExecuteReaderAsync();
        return await read(reader);
    }

    private string BuildSelect() =>
        $"SELECT version, {string.Join(", ", Columns.Select(c => c.Name))} FROM {Table} WHERE {KeyColumn} = $1"
        + (ScopeColumn is null ? "" : $" AND {ScopeColumn} = $2");

    // $1 key, $2 expected version, $3 counter stripe, $4.. the columns, then AppendParameters'.
    private string BuildWrite(bool insert)
    {
        var counted = string.Join("", CountedBy.Select((c, i) => $", {c.Key} AS c{i}"));
        var returning = $"RETURNING version, {TenantOf} AS c_tenant{counted}";
        string write, old = "";
        if (insert)
        {
            write = $"""
                w AS (INSERT INTO {Table} ({KeyColumn}, version, {string.Join(", ", Columns.Select(c => c.Name))})
                      VALUES ($1, 1, {string.Join(", ", Columns.Select((_, i) => "$" + (i + 4)))})
                      ON CONFLICT ({KeyColumn}) DO NOTHING {returning})
                """;
        }
        else
        {
            old = $"old AS (SELECT {TenantOf} AS c_tenant{counted} FROM {Table} WHERE {KeyColumn} = $1 AND version = $2),\n";
            write = $"""
                w AS (UPDATE {Table} SET version = $2 + 1, {string.Join(", ", Columns.Select((c, i) => $"{c.Name} = ${i + 4}"))}
                      WHERE {KeyColumn} = $1 AND version = $2 {returning})
                """;
        }
        var ctes = new List<string> { old + write };
        if (AppendCte(Columns.Count + 4) is { } append)
        {
            ctes.Add(append);
        }
        if (CountedBy.Count > 0)
        {
            var deltas = CountedBy.Select((c, i) => $"SELECT c_tenant AS t, '{c.Kind}' AS kind, c{i} AS key, 1 AS n FROM w").ToList();
            if (!insert)
            {
                deltas.AddRange(CountedBy.Select((c, i) =>
                    $"SELECT c_tenant, '{c.Kind}', c{i}, -1 FROM old WHERE EXISTS (SELECT 1 FROM w)"));
            }
            ctes.Add(Counters.AddCte($"""
                SELECT d.t, d.kind, d.key, $3, sum(d.n) FROM ({string.Join(" UNION ALL ", deltas)}) d
                 WHERE d.key IS NOT NULL GROUP BY d.t, d.kind, d.key HAVING sum(d.n) <> 0 ORDER BY d.t, d.kind, d.key
                """));
        }
        return $"WITH {string.Join(",\n", ctes)}\nSELECT version FROM w";
    }

    // Column helpers for the tables' declarations.
    protected static Column<T> Text(string name, Func<T, string?> get, Action<T, string?> set) =>
        new(name, NpgsqlDbType.Text, s => get(s), (s, r, i) => set(s, r.IsDBNull(i) ? null : r.GetString(i)));

    protected static Column<T> Enum<TEnum>(string name, Func<T, TEnum> get, Action<T, TEnum> set) where TEnum : struct, System.Enum =>
        new(name, NpgsqlDbType.Text, s => ActorsJson.Name(get(s)), (s, r, i) => set(s, EnumNames<TEnum>.Parse(r.GetString(i))));

    protected static Column<T> Int(string name, Func<T, int> get, Action<T, int> set) =>
        new(name, NpgsqlDbType.Integer, s => get(s), (s, r, i) => set(s, r.GetInt32(i)));

    protected static Column<T> Long(string name, Func<T, long?> get, Action<T, long?> set) =>
        new(name, NpgsqlDbType.Bigint, s => get(s), (s, r, i) => set(s, r.IsDBNull(i) ? null : r.GetInt64(i)));

    protected static Column<T> Bool(string name, Func<T, bool> get, Action<T, bool> set) =>
        new(name, NpgsqlDbType.Boolean, s => get(s), (s, r, i) => set(s, r.GetBoolean(i)));

    protected static Column<T> Uuid(string name, Func<T, Guid?> get, Action<T, Guid?> set) =>
        new(name, NpgsqlDbType.Uuid, s => get(s), (s, r, i) => set(s, r.IsDBNull(i) ? null : r.GetGuid(i)));

    protected static Column<T> Time(string name, Func<T, DateTimeOffset?> get, Action<T, DateTimeOffset?> set) =>
        new(name, NpgsqlDbType.TimestampTz, s => get(s)?.ToUniversalTime(),
            (s, r, i) => set(s, r.IsDBNull(i) ? null : r.GetFieldValue<DateTimeOffset>(i)));
}

/// <summary>Enum values as the tables spell them (<c>not_started</c>), parsed back without reflection per row.</summary>
public static class EnumNames<TEnum> where TEnum : struct, Enum
{
    private static readonly Dictionary<string, TEnum> ByName =
        System.Enum.GetValues<TEnum>().ToDictionary(v => ActorsJson.Name(v), StringComparer.Ordinal);

    public static TEnum Parse(string name) =>
        ByName.TryGetValue(name, out var value) ? value : throw new InvalidOperationException($"Unknown {typeof(TEnum).Name} '{name}' in the database.");
}

/// <summary>
/// The table of an entity whose grain is keyed (id, tenant) (candidates, jobs, schedules): the row's key
/// is the <c>id</c> uuid, a read must match <c>tenant_id</c> too, and its counters are per tenant.
/// </summary>
public abstract class TenantEntityTable<T> : StateTable<T>
{
    protected sealed override string KeyColumn => "id";
    protected sealed override NpgsqlDbType KeyType => NpgsqlDbType.Uuid;
    protected sealed override string TenantOf => "tenant_id";
    protected sealed override string ScopeColumn => "tenant_id";

    public sealed override object Key(GrainId grainId) => grainId.GetGuidKey(out _);

    protected sealed override void SetKey(T state, GrainId grainId) => SetId(state, grainId.GetGuidKey(out _));

    /// <summary>Sets the state's own copy of its id.</summary>
    protected abstract void SetId(T state, Guid id);
}
