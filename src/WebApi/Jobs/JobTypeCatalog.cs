using Actors.Contracts.Jobs;
using Actors.WebApi.Infrastructure;

namespace Actors.WebApi.Jobs;

/// <summary>
/// The job types clients may submit and schedule, as the silos' registered handlers say
/// (<see cref="IJobTypesGrain"/>), read again at most every 30 seconds.
/// </summary>
public sealed class JobTypeCatalog(IClusterClient cluster, TimeProvider clock)
{
    private static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(30);
    private volatile Snapshot? _snapshot;

    private sealed record Snapshot(DateTimeOffset At, IReadOnlyList<string> Submittable);

    public async Task<IReadOnlyList<string>> SubmittableAsync()
    {
        var snapshot = _snapshot;
        if (snapshot is null || clock.GetUtcNow() - snapshot.At > MaxAge)
        {
            var types = await cluster.GetGrain<IJobTypesGrain>(0).ListAsync();
            _snapshot = snapshot = new Snapshot(clock.GetUtcNow(), types.Where(t => t.ClientSubmittable).Select(t => t.Type).ToList());
        }
        return snapshot.Submittable;
    }

    /// <summary>Refuses (under <paramref name="field"/>) a type that is missing or not one clients may submit.</summary>
    public static void Check(Validator errors, string field, string? type, IReadOnlyList<string> submittable)
    {
        if (string.IsNullOrEmpty(type))
        {
            errors.Add(field, "is required");
        }
        else if (!submittable.Contains(type, StringComparer.Ordinal))
        {
            errors.Add(field, "must be one of: " + string.Join(", ", submittable));
        }
    }
}
