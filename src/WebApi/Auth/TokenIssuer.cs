using Actors.Contracts.Users;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Actors.WebApi.Auth;

public sealed class TokenIssuer(AuthOptions options, TimeProvider clock)
{
    private readonly JsonWebTokenHandler _handler = new();
    private readonly SigningCredentials _credentials = new(options.Keys()[0], SecurityAlgorithms.HmacSha256);

    public int LifetimeSeconds => options.TokenLifetimeMinutes * 60;

    public string Issue(UserInfo user)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var claims = new Dictionary<string, object>
        {
            [Claims.Subject] = user.Email,
            [Claims.Role] = Roles.Of(user.Role),
            [Claims.TokenVersion] = user.TokenVersion,
            [JwtRegisteredClaimNames.Jti] = Guid.NewGuid().ToString("N"),
        };
        if (user.TenantId is not null)
        {
            claims[Claims.Tenant] = user.TenantId;
        }
        var token = _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = options.Issuer,
            Audience = options.Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddMinutes(options.TokenLifetimeMinutes),
            Claims = claims,
            SigningCredentials = _credentials,
        });
        AuthMetrics.TokensIssued.Inc();
        return token;
    }
}
