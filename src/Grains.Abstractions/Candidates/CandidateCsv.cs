namespace Actors.Contracts.Candidates;

/// <summary>A CSV record that passed <see cref="CandidateRules"/>: what a create of that candidate stores.</summary>
public sealed record CandidateCsvRow(string CompanyName, string ContactEmail, string? ContactPhone, IReadOnlyList<string> Products);

/// <summary>
/// The candidates CSV format, read the same way by every door (the streamed upload, the inline
/// <c>csv</c> of a <c>candidates.import</c> job, the console's upload): a header naming
/// <see cref="Columns"/> in any order (<see cref="RequiredColumns"/> present), then one candidate a
/// record, products separated by <c>;</c>. Records are read by <see cref="CsvRecords"/> (RFC 4180).
/// </summary>
public sealed class CandidateCsv
{
    public const string Example = "company_name,contact_email,contact_phone,products\n" +
        "Acme Hosting Ltd,onboarding@acme.example,+44 20 7946 0000,hosting;email\n" +
        "\"Globex, Inc.\",vendors@globex.example,,hosting\n";

    public static readonly string[] Columns = ["company_name", "contact_email", "contact_phone", "products"];
    public static readonly string[] RequiredColumns = ["company_name", "contact_email"];

    /// <summary>The refusal of a file or text with no header at all.</summary>
    public static readonly string EmptyRefusal = "is empty: the first line names the columns (" + string.Join(",", Columns) + ")";

    private readonly int[] _index;
    private readonly int _width;

    private CandidateCsv(int[] index, int width)
    {
        _index = index;
        _width = width;
    }

    /// <summary>
    /// The format a header (the first record's <paramref name="fields"/>) declares, or null with the
    /// reasons in <paramref name="errors"/>: unknown, repeated and missing columns.
    /// </summary>
    public static CandidateCsv? FromHeader(List<string> fields, out List<string> errors)
    {
        errors = [];
        var index = Enumerable.Repeat(-1, Columns.Length).ToArray();
        for (var i = 0; i < fields.Count; i++)
        {
            var name = fields[i].Trim().ToLowerInvariant();
            var known = Array.IndexOf(Columns, name);
            if (known < 0)
            {
                errors.Add($"line 1: column '{Clip(fields[i])}' is not one of {string.Join(", ", Columns)}");
            }
            else if (index[known] >= 0)
            {
                errors.Add($"line 1: column '{name}' is named twice");
            }
            else
            {
                index[known] = i;
            }
        }
        foreach (var required in RequiredColumns.Where(c => index[Array.IndexOf(Columns, c)] < 0))
        {
            errors.Add($"line 1: the header has no column '{required}'");
        }
        return errors.Count == 0 ? new CandidateCsv(index, fields.Count) : null;
    }

    /// <summary>The field errors of a record (as a candidate's create would answer them), or null with the row to store.</summary>
    public Dictionary<string, string[]>? Check(List<string> fields, out CandidateCsvRow row)
    {
        row = null!;
        if (fields.Count != _width)
        {
            return new Dictionary<string, string[]> { ["row"] = [$"has {fields.Count} fields, the header has {_width}"] };
        }
        string? Cell(int column) => _index[column] is var i && i >= 0 && fields[i].Trim() is { Length: > 0 } v ? v : null;
        var products = Cell(3)?.Split(';').Select(p => (string?)p.Trim()).Where(p => p!.Length > 0).ToList() ?? [];
        var errors = CandidateRules.Validate(Cell(0), Cell(1), Cell(2), products);
        if (errors.Count > 0)
        {
            return errors;
        }
        row = new CandidateCsvRow(Cell(0)!, Cell(1)!, Cell(2), CandidateRules.Normalize(products));
        return null;
    }

    /// <summary>
    /// A CSV text held in memory (an inline <c>csv</c> parameter): its records with their line, each a
    /// row or its errors; or the reasons the text as a whole is refused (not CSV, a bad header, more
    /// than <paramref name="maxRows"/> records).
    /// </summary>
    public static (List<(int Line, CandidateCsvRow? Row, Dictionary<string, string[]>? Errors)> Records, List<string> Refusals) ReadText(string text, int maxRows)
    {
        var records = new List<(int, CandidateCsvRow?, Dictionary<string, string[]>?)>();
        var csv = new CsvRecords(new StringReader(text));
        var fields = new List<string>();
        try
        {
            if (!csv.Read(fields))
            {
                return (records, [EmptyRefusal]);
            }
            var format = FromHeader(fields, out var refusals);
            if (format is null)
            {
                return (records, refusals);
            }
            while (csv.Read(fields))
            {
                if (records.Count == maxRows)
                {
                    return ([], [$"at most {maxRows} rows"]);
                }
                var errors = format.Check(fields, out var row);
                records.Add((csv.StartLine, errors is null ? row : null, errors));
            }
            return (records, []);
        }
        catch (CsvFormatException e)
        {
            return ([], [e.Message]);
        }
    }

    private static string Clip(string value) => value.Length > 40 ? value[..40] + "…" : value;
}
