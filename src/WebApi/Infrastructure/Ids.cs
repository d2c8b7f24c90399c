using Actors.Contracts;

namespace Actors.WebApi.Infrastructure;

/// <summary>Resource ids read from a path.</summary>
public static class Ids
{
    /// <summary>A resource id from the path: a UUID, else 400 (never a 404 that hides a typo).</summary>
    public static Guid Parse(string id) =>
        Guid.TryParse(id, out var value) ? value : throw ActorsException.Invalid("id", "must be a UUID");
}
