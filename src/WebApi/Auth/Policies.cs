namespace Actors.WebApi.Auth;

public static class Policies
{
    /// <summary>Platform operators only.</summary>
    public const string Operator = "operator";
    /// <summary>Operators and tenant admins.</summary>
    public const string TenantAdmin = "tenant-admin";
    /// <summary>Operators, admins and reviewers: may change things inside a tenant.</summary>
    public const string Writer = "writer";
    /// <summary>Any signed-in user: may read inside its tenant.</summary>
    public const string Reader = "reader";
}
