namespace Actors.Contracts;

/// <summary>
/// Grain keys. The ADO.NET storage provider parses a string key made only of hex digits as an
/// integer ("cafe", "add"), so string keys always carry a non-hex prefix.
/// </summary>
public static class GrainKeys
{
    public static string Tenant(string slug) => "tenant:" + slug;
    public static string User(string email) => "user:" + email.Trim().ToLowerInvariant();

    public static string SlugOf(string tenantKey) =>
        tenantKey.StartsWith("tenant:", StringComparison.Ordinal) ? tenantKey["tenant:".Length..] : tenantKey;
}
