using NpgsqlTypes;

namespace Actors.Data.Storage;

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
