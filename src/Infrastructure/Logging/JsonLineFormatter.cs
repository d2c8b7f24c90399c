using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace Actors.Infrastructure.Logging;

/// <summary>
/// Writes one JSON object per line: timestamp (ISO 8601 UTC), level, logger, message, then every
/// structured property of the message and of the active scopes (request_id, tenant_id, user_id,
/// endpoint, method, status_code, duration_ms ...) with snake_case names.
/// </summary>
public sealed class JsonLineFormatter() : ConsoleFormatter(FormatterName)
{
    public const string FormatterName = "actors-json";

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter?.Invoke(logEntry.State, logEntry.Exception);
        if (message is null && logEntry.Exception is null)
        {
            return;
        }

        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("timestamp", DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture));
            json.WriteString("level", LevelName(logEntry.LogLevel));
            json.WriteString("logger", logEntry.Category);
            json.WriteString("message", message ?? string.Empty);
            if (logEntry.EventId.Id != 0 || logEntry.EventId.Name is not null)
            {
                json.WriteString("event", logEntry.EventId.Name ?? logEntry.EventId.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            // Inner scopes override outer ones (our request scope's request_id, taken from the caller's
            // X-Request-Id, wins over the host's connection-based one), and the event's own fields win over both.
            var fields = new Dictionary<string, object?>(StringComparer.Ordinal);
            scopeProvider?.ForEachScope((scope, state) => Collect(scope, state), fields);
            Collect(logEntry.State, fields);
            foreach (var (name, value) in fields)
            {
                if (name is not ("timestamp" or "level" or "logger" or "message" or "event"))
                {
                    WriteValue(json, name, value);
                }
            }

            if (logEntry.Exception is { } exception)
            {
                json.WriteString("exception", exception.ToString());
            }
            json.WriteEndObject();
        }
        textWriter.Write(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
        textWriter.Write('\n');
    }

    private static void Collect(object? state, Dictionary<string, object?> fields)
    {
        if (state is not IEnumerable<KeyValuePair<string, object?>> properties)
        {
            return;
        }
        foreach (var (key, value) in properties)
        {
            if (key != "{OriginalFormat}")
            {
                fields[SnakeCase(key)] = value;
            }
        }
    }

    private static void WriteValue(Utf8JsonWriter json, string name, object? value)
    {
        switch (value)
        {
            case null: json.WriteNull(name); break;
            case bool b: json.WriteBoolean(name, b); break;
            case int i: json.WriteNumber(name, i); break;
            case long l: json.WriteNumber(name, l); break;
            case double d: json.WriteNumber(name, Math.Round(d, 3)); break;
            case decimal m: json.WriteNumber(name, m); break;
            case DateTimeOffset t: json.WriteString(name, t.UtcDateTime); break;
            case DateTime t: json.WriteString(name, t.ToUniversalTime()); break;
            default: json.WriteString(name, Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)); break;
        }
    }

    private static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Trace => "trace",
        LogLevel.Debug => "debug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warning",
        LogLevel.Error => "error",
        LogLevel.Critical => "critical",
        _ => "none",
    };

    public static string SnakeCase(string name) => JsonNamingPolicy.SnakeCaseLower.ConvertName(name);
}

public static class LoggingExtensions
{
    /// <summary>
    /// JSON lines on stdout; <c>LOG_LEVEL</c> (trace, debug, information, warning, error) sets the
    /// minimum level of the application's own categories.
    /// </summary>
    public static ILoggingBuilder AddActorsJsonLogging(this ILoggingBuilder logging, string? level)
    {
        logging.ClearProviders();
        logging.AddConsole(o => o.FormatterName = JsonLineFormatter.FormatterName);
        logging.AddConsoleFormatter<JsonLineFormatter, ConsoleFormatterOptions>();
        // Orleans' placement pipeline logs every Polly attempt at Information: one line per grain call.
        logging.AddFilter("Polly", LogLevel.Warning);
        // ASP.NET Core and HttpClient write four to six Information lines per request (starting,
        // executing, executed, finished): the request's own line (RequestTelemetry) says it all, and
        // formatting those lines cost more CPU than serving most requests.
        logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);
        if (!string.IsNullOrWhiteSpace(level) && Enum.TryParse<LogLevel>(level, ignoreCase: true, out var parsed))
        {
            logging.SetMinimumLevel(parsed);
        }
        else if (string.Equals(level, "warn", StringComparison.OrdinalIgnoreCase))
        {
            logging.SetMinimumLevel(LogLevel.Warning);
        }
        return logging;
    }
}

