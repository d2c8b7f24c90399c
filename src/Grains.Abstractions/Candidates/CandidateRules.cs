namespace Actors.Contracts.Candidates;

/// <summary>Field rules shared by the API, the import job and the grain.</summary>
public static class CandidateRules
{
    public const int MaxCompanyName = 200;
    public const int MaxProducts = 50;
    public const int MaxProductLength = 100;
    public const int MaxReason = 1000;

    public static Dictionary<string, string[]> Validate(string? companyName, string? email, string? phone, IReadOnlyList<string?>? products, bool partial = false)
    {
        var errors = new Dictionary<string, string[]>();
        if (!partial || companyName is not null)
        {
            if (string.IsNullOrWhiteSpace(companyName)) errors["company_name"] = ["is required"];
            else if (companyName.Length > MaxCompanyName || HasControl(companyName)) errors["company_name"] = [$"must be 1 to {MaxCompanyName} characters without control characters"];
        }
        if (!partial || email is not null)
        {
            if (string.IsNullOrWhiteSpace(email)) errors["contact_email"] = ["is required"];
            else if (!EmailAddress.IsValid(email)) errors["contact_email"] = ["must be an email address"];
        }
        if (phone is not null && (phone.Length > 40 || !phone.All(c => char.IsDigit(c) || c is '+' or ' ' or '-' or '(' or ')' or '.')))
        {
            errors["contact_phone"] = ["must be up to 40 digits, spaces and + - ( ) ."];
        }
        if (products is not null)
        {
            if (products.Count > MaxProducts) errors["products"] = [$"must have at most {MaxProducts} items"];
            else if (products.Any(p => string.IsNullOrWhiteSpace(p) || p.Length > MaxProductLength || HasControl(p)))
                errors["products"] = [$"each product must be 1 to {MaxProductLength} characters"];
        }
        return errors;
    }

    private static bool HasControl(string value) => value.Any(char.IsControl);

    public static IReadOnlyList<string> Normalize(IEnumerable<string?>? products) =>
        (products ?? []).Where(p => p is not null).Select(p => p!.Trim()).Distinct(StringComparer.Ordinal).ToList();
}
