namespace Actors.WebApi.Auth;

public static class Claims
{
    public const string Subject = "sub";
    public const string Role = "role";
    public const string Tenant = "tenant_id";
    public const string TokenVersion = "ver";
}
