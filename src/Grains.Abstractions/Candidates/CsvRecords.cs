using System.Text;

namespace Actors.Contracts.Candidates;

/// <summary>A file that is not CSV at all (an unclosed quote, a record longer than the limit): refused whole.</summary>
public sealed class CsvFormatException(int line, string message) : Exception($"line {line}: {message}");

/// <summary>
/// RFC 4180 records read one at a time, never the whole file: fields separated by commas, a field in
/// double quotes may hold commas, line breaks and doubled quotes (<c>""</c>); lines end in CRLF or LF;
/// blank lines are skipped. <see cref="StartLine"/> is the line where the record last read begins,
/// counted from 1 as a text editor does. The one CSV reader of the product: the streamed upload reads
/// with <see cref="ReadAsync"/>, an inline <c>csv</c> parameter (already in memory) with <see cref="Read"/>.
/// </summary>
public sealed class CsvRecords(TextReader reader, int maxRecordChars = CsvRecords.DefaultMaxRecordChars)
{
    public const int DefaultMaxRecordChars = 64 * 1024;

    private readonly char[] _buffer = new char[32 * 1024];
    private readonly StringBuilder _field = new();
    private int _position;
    private int _length;
    private int _line = 1;
    private bool _quoted, _closed, _started;
    private int _chars;

    public int StartLine { get; private set; }

    /// <summary>Reads the next record into <paramref name="fields"/>; answers false at the end of the stream.</summary>
    public async ValueTask<bool> ReadAsync(List<string> fields)
    {
        Begin(fields);
        while (!Scan(fields))
        {
            if (!Refilled(await reader.ReadAsync(_buffer)))
            {
                return End(fields);
            }
        }
        return true;
    }

    /// <summary>As <see cref="ReadAsync"/>, for a reader that never waits (a <see cref="StringReader"/>).</summary>
    public bool Read(List<string> fields)
    {
        Begin(fields);
        while (!Scan(fields))
        {
            if (!Refilled(reader.Read(_buffer)))
            {
                return End(fields);
            }
        }
        return true;
    }

    /// <summary>The buffer now holds the <paramref name="read"/> characters just read; false at the end of the input.</summary>
    private bool Refilled(int read)
    {
        _length = read;
        _position = 0;
        return read > 0;
    }

    private void Begin(List<string> fields)
    {
        fields.Clear();
        _field.Clear();
        StartLine = _line;
        _quoted = _closed = _started = false;
        _chars = 0;
    }

    /// <summary>The end of the input: the last record if it had no line end, or none.</summary>
    private bool End(List<string> fields)
    {
        if (_quoted)
        {
            throw new CsvFormatException(StartLine, "a quoted field is not closed");
        }
        if (!_started)
        {
            return false;
        }
        fields.Add(_field.ToString());
        _started = false;
        return true;
    }

    /// <summary>Consumes buffered characters; true once a record is complete, false when the buffer ran out first.</summary>
    private bool Scan(List<string> fields)
    {
        while (_position < _length)
        {
            var c = _buffer[_position++];
            if (++_chars > maxRecordChars)
            {
                throw new CsvFormatException(StartLine, $"a record is longer than {maxRecordChars / 1024} KB (is a quote not closed?)");
            }
            if (_quoted)
            {
                if (c == '"')
                {
                    _quoted = false;
                    _closed = true;
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
                case '"' when _closed:
                    // A doubled quote inside a quoted field: one quote, and the field goes on.
                    _field.Append('"');
                    _quoted = true;
                    _closed = false;
                    break;
                case '"' when _field.Length == 0:
                    _quoted = true;
                    _started = true;
                    break;
                case ',':
                    fields.Add(_field.ToString());
                    _field.Clear();
                    _closed = false;
                    _started = true;
                    break;
                case '\r':
                    break;
                case '\n':
                    _line++;
                    if (!_started && _field.Length == 0)
                    {
                        // A blank line: no record.
                        StartLine = _line;
                        _chars = 0;
                        break;
                    }
                    fields.Add(_field.ToString());
                    return true;
                default:
                    _field.Append(c);
                    _started = true;
                    break;
            }
        }
        return false;
    }
}
