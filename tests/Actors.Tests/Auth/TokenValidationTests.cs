using System.Net;
using System.Text;
using Actors.Tests.Infrastructure;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Actors.Tests.Auth;

/// <summary>Forged, foreign and stale tokens are refused with 401 (RFC 8725).</summary>
[Collection(ClusterCollection.Name)]
public sealed class TokenValidationTests(ClusterFixture fixture)
{
    private static string Forge(string key = TestAuth.SigningKey, string issuer = TestAuth.Issuer, string audience = TestAuth.Audience,
        DateTime? issued = null, DateTime? expires = null, string algorithm = SecurityAlgorithms.HmacSha256)
    {
        var now = issued ?? DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = expires ?? now.AddMinutes(10),
            Claims = new Dictionary<string, object> { ["sub"] = TestAuth.OperatorEmail, ["role"] = "operator", ["ver"] = 1 },
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key)), algorithm),
        });
    }

    private static string Unsigned()
    {
        static string B64(string s) => Base64UrlEncoder.Encode(s);
        var exp = DateTimeOffset.UtcNow.AddMinutes(10).ToUnixTimeSeconds();
        var iat = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return B64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." +
               B64($"{{\"sub\":\"{TestAuth.OperatorEmail}\",\"role\":\"operator\",\"iss\":\"actors\",\"aud\":\"actors-api\",\"iat\":{iat},\"nbf\":{iat},\"exp\":{exp}}}") + ".";
    }

    public static TheoryData<string, string> BadTokens() => new()
    {
        { "alg none", Unsigned() },
        { "wrong key", Forge(key: "another-signing-key-0123456789-abcdefghijklmnop") },
        { "wrong issuer", Forge(issuer: "someone-else") },
        { "wrong audience", Forge(audience: "another-api") },
        { "expired beyond skew", Forge(issued: DateTime.UtcNow.AddMinutes(-20), expires: DateTime.UtcNow.AddSeconds(-45)) },
        { "HS512 not allowed", Forge(key: TestAuth.SigningKey + TestAuth.SigningKey, algorithm: SecurityAlgorithms.HmacSha512) },
        { "garbage", "not.a.token" },
    };

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task BadTokenIs401ProblemDetails(string why, string token)
    {
        await TestAuth.OperatorTokenAsync(fixture.Http);

        var response = await fixture.Http.SendAsync(HttpMethod.Get, "/tenants", token);

        Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{why}: {(int)response.StatusCode}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task TokenSignedWithTheConfiguredKeyIsAccepted()
    {
        await TestAuth.OperatorTokenAsync(fixture.Http);
        // The positive control of the theory above: same forging code, right parameters.
        var response = await fixture.Http.SendAsync(HttpMethod.Get, "/tenants", Forge());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task MissingTokenIs401()
    {
        var response = await fixture.Http.GetAsync("/tenants");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
