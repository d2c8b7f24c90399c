using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace Actors.WebApi.Auth;

/// <summary>
/// JWT settings (section <c>Auth</c>). <see cref="SigningKeys"/>: the first key signs new tokens, every
/// key validates, so a key is rotated by putting the new one first and keeping the old one second
/// until the tokens it signed have expired.
/// </summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromSeconds(30);

    public string Issuer { get; set; } = "actors";
    public string Audience { get; set; } = "actors-api";
    public List<string> SigningKeys { get; set; } = [];
    public int TokenLifetimeMinutes { get; set; } = 60;
    public int ClockSkewSeconds { get; set; } = 30;

    /// <summary>The first error of these settings (named as configured), or null when they are usable.</summary>
    public string? Refusal() =>
        SigningKeys.Count == 0 || SigningKeys.Any(k => KeyLength(k) < 32)
            ? "Auth:SigningKeys must hold at least one key of 32 bytes or more (Auth__SigningKeys__0). " +
              "Generate one with: openssl rand -base64 48"
        : TokenLifetimeMinutes is < 1 or > 24 * 60 ? "Auth:TokenLifetimeMinutes must be between 1 and 1440."
        : string.IsNullOrWhiteSpace(Issuer) || string.IsNullOrWhiteSpace(Audience) ? "Auth:Issuer and Auth:Audience must be set."
        : null;

    /// <summary>A key's length in bytes; a <c>base64:</c> key that is not base64 counts as empty.</summary>
    private static int KeyLength(string key)
    {
        try
        {
            return KeyBytes(key).Length;
        }
        catch (FormatException)
        {
            return 0;
        }
    }

    public TimeSpan ClockSkew => TimeSpan.FromSeconds(Math.Clamp(ClockSkewSeconds, 0, (int)MaxClockSkew.TotalSeconds));

    public IReadOnlyList<SymmetricSecurityKey> Keys() => SigningKeys.Select(k =>
    {
        var bytes = KeyBytes(k);
        return new SymmetricSecurityKey(bytes) { KeyId = Convert.ToHexStringLower(SHA256.HashData(bytes))[..16] };
    }).ToList();

    /// <summary>A key is <c>base64:...</c> or plain text (its UTF-8 bytes).</summary>
    private static byte[] KeyBytes(string key) =>
        key.StartsWith("base64:", StringComparison.Ordinal)
            ? Convert.FromBase64String(key["base64:".Length..])
            : Encoding.UTF8.GetBytes(key);
}
