using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

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
    /// <summary>The operator's one-word level (runbook, README): mapped onto <see cref="DefaultLevelKey"/>.</summary>
    public const string LevelVariable = "LOG_LEVEL";

    /// <summary>The framework's own default level of every category (<c>Logging__LogLevel__Default</c>).</summary>
    public const string DefaultLevelKey = "Logging:LogLevel:Default";

    /// <summary>
    /// The logging of every Actors host: <see cref="LevelVariable"/> mapped onto the framework's filter
    /// configuration (<see cref="MapLogLevel"/>), then <see cref="AddActorsJsonLogging"/>.
    /// </summary>
    public static IHostApplicationBuilder AddActorsLogging(this IHostApplicationBuilder builder)
    {
        builder.Configuration.MapLogLevel();
        builder.Logging.AddActorsJsonLogging();
        return builder;
    }

    /// <summary>
    /// When <c>LOG_LEVEL</c> is set (trace, debug, information or info, warning or warn, error, critical or
    /// fatal, none; any case), it becomes <c>Logging:LogLevel:Default</c>, ahead of every source already added; any other
    /// value is refused, so a host with a misspelt level does not start. Unset, <c>Logging:LogLevel</c>
    /// applies as configured (the framework's default: Information).
    /// </summary>
    public static IConfigurationBuilder MapLogLevel(this IConfigurationManager configuration)
    {
        var value = configuration[LevelVariable];
        if (string.IsNullOrWhiteSpace(value))
        {
            return configuration;
        }
        var level = ParseLevel(value.Trim()) ?? throw new OptionsValidationException(LevelVariable, typeof(LoggerFilterOptions),
            [$"{LevelVariable} must be one of {string.Join(", ", Enum.GetNames<LogLevel>())} (or Info, Warn, Fatal), not '{value}'"]);
        return configuration.AddInMemoryCollection([new(DefaultLevelKey, level.ToString())]);
    }

    // The spellings of the systems this one replaces (LOG_LEVEL=INFO, DEBUG, WARNING, ERROR, CRITICAL in
    // their runbooks) and of common loggers (warn, fatal), beside the framework's own names.
    private static readonly Dictionary<string, LogLevel> Aliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["info"] = LogLevel.Information,
        ["warn"] = LogLevel.Warning,
        ["fatal"] = LogLevel.Critical,
    };

    private static LogLevel? ParseLevel(string value) =>
        Aliases.TryGetValue(value, out var alias) ? alias
        : Enum.GetNames<LogLevel>().FirstOrDefault(n => string.Equals(n, value, StringComparison.OrdinalIgnoreCase)) is { } name
            ? Enum.Parse<LogLevel>(name)
            : null;

    /// <summary>
    /// JSON lines on stdout. The level comes from the filter configuration (<c>Logging:LogLevel</c>, which
    /// <c>LOG_LEVEL</c> sets through <see cref="MapLogLevel"/>); Polly's, ASP.NET Core's and HttpClient's
    /// chatty categories stay at Warning whatever the default.
    /// </summary>
    public static ILoggingBuilder AddActorsJsonLogging(this ILoggingBuilder logging)
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
        return logging;
    }
}
