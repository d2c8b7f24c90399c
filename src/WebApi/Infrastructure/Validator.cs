using Actors.Contracts;
using Actors.WebApi.Auth;

namespace Actors.WebApi.Infrastructure;

/// <summary>Collects every invalid field of a request, then refuses it as one 400 with an errors map.</summary>
public sealed class Validator
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool IsValid => _errors.Count == 0;

    public void Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list))
        {
            _errors[field] = list = [];
        }
        list.Add(message);
    }

    public void Required(string field, string? value, int max, int min = 1)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            Add(field, "is required");
        }
        else
        {
            Length(field, value, max, min);
        }
    }

    public void Length(string field, string? value, int max, int min = 0)
    {
        if (value is null)
        {
            return;
        }
        if (value.Length < min || value.Length > max)
        {
            Add(field, min > 0 ? $"must be {min} to {max} characters" : $"must be at most {max} characters");
        }
        else if (value.Any(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t')))
        {
            Add(field, "must not contain control characters");
        }
    }

    public void Email(string field, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            Add(field, "is required");
            return;
        }
        if (!EmailAddress.IsValid(value))
        {
            Add(field, "must be an email address");
        }
    }

    public void Range(string field, int? value, int min, int max)
    {
        if (value is { } v && (v < min || v > max))
        {
            Add(field, $"must be between {min} and {max}");
        }
    }

    /// <summary>A value, when given, must be one of <paramref name="allowed"/> ("must be a, b or c").</summary>
    public void OneOf(string field, string? value, IReadOnlyList<string> allowed)
    {
        if (value is not null && !allowed.Contains(value, StringComparer.Ordinal))
        {
            Add(field, "must be " + (allowed.Count == 1 ? allowed[0] : string.Join(", ", allowed.Take(allowed.Count - 1)) + " or " + allowed[^1]));
        }
    }

    public void Slug(string field, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            Add(field, "is required");
        }
        else if (!TenantAccessMiddleware.Slug().IsMatch(value))
        {
            Add(field, "must be 2 to 63 lower-case letters, digits or dashes, starting with a letter");
        }
    }

    public void HttpUrl(string field, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return;
        }
        if (value.Length > 2048 || !Uri.TryCreate(value, UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) || !string.IsNullOrEmpty(uri.UserInfo))
        {
            Add(field, "must be an absolute http or https URL without credentials");
        }
    }

    /// <summary>The refusal these errors make (the exception <see cref="ThrowIfAny"/> throws).</summary>
    public ActorsException ToException() => new(ErrorCodes.Validation, "One or more fields are invalid.",
        _errors.ToDictionary(e => e.Key, e => e.Value.ToArray()));

    public void ThrowIfAny()
    {
        if (_errors.Count > 0)
        {
            throw ToException();
        }
    }
}
