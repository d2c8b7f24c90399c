using System.Net.Mail;

namespace Actors.Contracts;

/// <summary>The one email check of the project: account logins, candidate contacts, SMTP senders and recipients.</summary>
public static class EmailAddress
{
    /// <summary>A bare address (no display name, no whitespace) of at most 254 characters with a dotted domain.</summary>
    public static bool IsValid(string value) =>
        value.Length <= 254 && !value.Any(char.IsWhiteSpace) && MailAddress.TryCreate(value, out var parsed)
        && parsed.Address == value && value.Contains('.', StringComparison.Ordinal);
}
