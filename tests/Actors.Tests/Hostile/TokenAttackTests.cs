using System.Net;
using System.Security.Cryptography;
using System.Text;
using Actors.Tests.Infrastructure;
using Microsoft.IdentityModel.Tokens;

namespace Actors.Tests.Hostile;

/// <summary>
/// RFC 8725 attacks not covered by <c>Tenants/TokenValidationTests</c>: alg-none spellings, algorithm
/// confusion, attacker keys in the header (jwk, jku, kid), tokens without expiry or not yet valid,
/// stripped signatures, a valid signature for a user that does not exist, and tokens in places the
/// API must not read them from.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class TokenAttackTests(ClusterFixture fixture)
{
    private static string B64(string s) => Base64UrlEncoder.Encode(s);

    private static string Claims(string sub = TestAuth.OperatorEmail, bool exp = true, long? nbf = null)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var expiry = exp ? $",\"exp\":{(nbf ?? now) + 600}" : "";
        return $"{{\"sub\":\"{sub}\",\"role\":\"operator\",\"ver\":1,\"iss\":\"{TestAuth.Issuer}\",\"aud\":\"{TestAuth.Audience}\",\"iat\":{now},\"nbf\":{nbf ?? now}{expiry}}}";
    }

    /// <summary>header.payload signed with HMAC-SHA256 under <paramref name="key"/>, whatever the header claims.</summary>
    private static string HmacSigned(string header, string payload, string key = TestAuth.SigningKey)
    {
        var signingInput = B64(header) + "." + B64(payload);
        var signature = HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.ASCII.GetBytes(signingInput));
        return signingInput + "." + Base64UrlEncoder.Encode(signature);
    }

    private static string AttackerJwkToken()
    {
        using var rsa = RSA.Create(2048);
        var p = rsa.ExportParameters(false);
        var jwk = $"{{\"kty\":\"RSA\",\"n\":\"{Base64UrlEncoder.Encode(p.Modulus)}\",\"e\":\"{Base64UrlEncoder.Encode(p.Exponent)}\"}}";
        var signingInput = B64($"{{\"alg\":\"RS256\",\"typ\":\"JWT\",\"jwk\":{jwk}}}") + "." + B64(Claims());
        var signature = rsa.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signingInput + "." + Base64UrlEncoder.Encode(signature);
    }

    public static TheoryData<string, string> Attacks()
    {
        var attacker = "attacker-key-0123456789-abcdefghijklmnopqrstuvwxyz";
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var valid = HmacSigned("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", Claims());
        return new TheoryData<string, string>
        {
            { "alg None", B64("{\"alg\":\"None\",\"typ\":\"JWT\"}") + "." + B64(Claims()) + "." },
            { "alg NONE", B64("{\"alg\":\"NONE\",\"typ\":\"JWT\"}") + "." + B64(Claims()) + "." },
            { "alg none with a signature", B64("{\"alg\":\"none\"}") + "." + B64(Claims()) + "." + valid.Split('.')[2] },
            { "RS256 header, HMAC signature (algorithm confusion)", HmacSigned("{\"alg\":\"RS256\",\"typ\":\"JWT\"}", Claims()) },
            { "HS384 header, HS256 signature", HmacSigned("{\"alg\":\"HS384\",\"typ\":\"JWT\"}", Claims()) },
            { "attacker key embedded as jwk", AttackerJwkToken() },
            { "attacker key by jku", HmacSigned("{\"alg\":\"HS256\",\"jku\":\"http://127.0.0.1:1/keys\"}", Claims(), attacker) },
            { "attacker key by kid", HmacSigned("{\"alg\":\"HS256\",\"kid\":\"../../dev/null\"}", Claims(), attacker) },
            { "no exp", HmacSigned("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", Claims(exp: false)) },
            // A day ahead: still beyond the skew however long after discovery this case runs.
            { "nbf beyond skew", HmacSigned("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", Claims(nbf: now + 86_400)) },
            { "signature stripped", string.Join('.', valid.Split('.')[..2]) + "." },
            { "signature of another token", string.Join('.', valid.Split('.')[..2]) + "." + HmacSigned("{\"alg\":\"HS256\"}", "{}").Split('.')[2] },
            { "JWE-shaped five parts", valid + ".x.y" },
        };
    }

    [Fact]
    public async Task TheHandMadeTokenIsAcceptedWhenNothingIsWrongWithIt()
    {
        await TestAuth.OperatorTokenAsync(fixture.Http);
        var response = await fixture.Http.SendAsync(HttpMethod.Get, "/tenants", HmacSigned("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", Claims()));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [MemberData(nameof(Attacks))]
    public async Task ForgedTokenIs401(string why, string token)
    {
        await TestAuth.OperatorTokenAsync(fixture.Http);

        var response = await fixture.Http.SendAsync(HttpMethod.Get, "/tenants", token);

        Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{why}: {(int)response.StatusCode}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task ValidSignatureForAUserThatDoesNotExistIs401()
    {
        await TestAuth.OperatorTokenAsync(fixture.Http);
        var token = HmacSigned("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", Claims(sub: $"ghost-{Guid.NewGuid():N}@nowhere.test"));

        var response = await fixture.Http.SendAsync(HttpMethod.Get, "/tenants", token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task TokenIsReadFromTheAuthorizationHeaderOnlyNotTheQueryOrACookieOutsideTheDashboard()
    {
        var token = await TestAuth.OperatorTokenAsync(fixture.Http);

        var query = await fixture.Http.GetAsync("/tenants?access_token=" + token);
        using var cookie = new HttpRequestMessage(HttpMethod.Get, "/tenants");
        cookie.Headers.Add("Cookie", "actors_token=" + token);
        var cookieResponse = await fixture.Http.SendAsync(cookie);

        Assert.Equal(HttpStatusCode.Unauthorized, query.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, cookieResponse.StatusCode);
    }

    [Fact]
    public async Task TokensOfADeletedUserAndOfASuspendedTenantAreRefused()
    {
        var s = await Scenario.StartAsync(fixture.Http);
        var tenant = await s.CreateTenantAsync();
        var email = $"gone@{tenant}.test";
        var deleted = await s.UserTokenAsync(tenant, "admin", email);
        var suspended = await s.UserTokenAsync(tenant, "viewer");
        Assert.Equal(HttpStatusCode.NoContent, (await fixture.Http.SendAsync(HttpMethod.Delete, $"/tenants/{tenant}/users/{email}", s.OperatorToken)).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await fixture.Http.SendAsync(HttpMethod.Get, "/candidates", deleted)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await fixture.Http.SendAsync(HttpMethod.Post, $"/tenants/{tenant}/suspend", s.OperatorToken)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await fixture.Http.SendAsync(HttpMethod.Get, "/candidates", suspended)).StatusCode);
        // Operators acting in a suspended tenant are refused too: its data is frozen until it is activated.
        Assert.Equal(HttpStatusCode.Forbidden, (await fixture.Http.SendAsync(HttpMethod.Get, "/candidates", s.OperatorToken, tenant: tenant)).StatusCode);
    }
}
