using System.Security.Cryptography;
using System.Text;
using Actors.Contracts;

namespace Actors.WebApi.Infrastructure;

/// <summary>The <c>Idempotency-Key</c> header: a retried create lands on the same grain.</summary>
public static class IdempotencyKey
{
    public const string Header = "Idempotency-Key";

    /// <summary>The header as sent (null when absent), for a service to <see cref="Check"/>.</summary>
    public static string? Of(HttpRequest request) => request.Headers[Header].ToString() is { Length: > 0 } value ? value : null;

    /// <summary>
    /// The key when it is valid (null: none given; an empty header is none, see <see cref="Of"/>); an invalid
    /// one is added to <paramref name="errors"/> under <paramref name="field"/>, and answers null.
    /// </summary>
    public static string? Check(string? value, Validator errors, string field = Header)
    {
        if (value is null)
        {
            return null;
        }
        if (!IsValid(value))
        {
            errors.Add(field, "must be 1 to 255 visible ASCII characters");
            return null;
        }
        return value;
    }

    /// <summary>1 to 255 visible ASCII characters, as in the header.</summary>
    private static bool IsValid(string value) => value.Length is > 0 and <= 255 && value.All(c => c is >= (char)0x21 and <= (char)0x7e);

    /// <summary>A stable id from tenant, resource kind and key: the same key always names the same grain.</summary>
    public static Guid DeriveId(string tenant, string kind, string key) => StableId.Create(tenant, kind, key);

    public static string Hash(params string[] parts) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\u001f", parts))));
}
