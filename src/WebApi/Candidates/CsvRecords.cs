using System.Text;

namespace Actors.WebApi.Candidates;

/// <summary>A file that is not CSV at all (an unclosed quote, a record longer than the limit): refused whole.</summary>
public sealed class CsvFormatException(int line, string message) : Exception($"line {line}: {message}");

/// <summary>
/// RFC 4180 records read one at a time from a stream, never the whole file: fields separated by
/// commas, a field in double quotes may hold commas, line breaks and doubled quotes (<c>""</c>);
/// lines end in CRLF or LF; blank lines are skipped. <see cref="StartLine"/> is the line where the
/// record last read begins, counted from 1 as a text editor does.
/// </summary>
public sealed class CsvRecords(TextReader reader, int maxRecordChars = CsvRecords.DefaultMaxRecordChars)
{
    public const int DefaultMaxRecordChars = 64 * 1024;

    private readonly char[] _buffer = new char[32 * 1024];
    private readonly StringBuilder _field = new();
    private int _position;
    private int _length;
    private int _line = 1;

    public int StartLine { get; private set; }

    /// <summary>Reads the next record into <paramref name="fields"/>; answers false at the end of the stream.</summary>
    public async ValueTask<bool> ReadAsync(List<string> fields)
    {
        fields.Clear();
        _field.Clear();
        StartLine = _line;
        bool quoted = false, closed = false, started = false;
        var chars = 0;
        while (true)
        {
            if (_position == _length)
            {
                _length = await reader.ReadAsync(_buffer);
                _position = 0;
                if (_length == 0)
                {
                    if (quoted)
                    {
                        throw new CsvFormatException(StartLine, "a quoted field is not closed");
                    }
                    if (!started)
                    {
                        return false;
                    }
                    fields.Add(_field.ToString());
                    return true;
                }
            }
            var c = _buffer[_position++];
            if (++chars > maxRecordChars)
            {
                throw new CsvFormatException(StartLine, $"a record is longer than {maxRecordChars / 1024} KB (is a quote not closed?)");
            }
            if (quoted)
            {
                if (c == '"')
                {
                    quoted = false;
                    closed = true;
                }
                else
                {
                    if (c == '\n') _line++;
                    _field.Append(c);
                }
                continue;
            }
            switch (c)
            {
                case '"' when closed:
                    // A doubled quote inside a quoted field: one quote, and the field goes on.
                    _field.Append('"');
                    quoted = true;
                    closed = false;
                    break;
                case '"' when _field.Length == 0:
                    quoted = true;
                    started = true;
                    break;
                case ',':
                    fields.Add(_field.ToString());
                    _field.Clear();
                    closed = false;
                    started = true;
                    break;
                case '\r':
                    break;
                case '\n':
                    _line++;
                    if (!started && _field.Length == 0)
                    {
                        // A blank line: no record.
                        StartLine = _line;
                        chars = 0;
                        break;
                    }
                    fields.Add(_field.ToString());
                    return true;
                default:
                    _field.Append(c);
                    started = true;
                    break;
            }
        }
    }
}
