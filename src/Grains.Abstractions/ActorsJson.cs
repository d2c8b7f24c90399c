using System.Text.Json;
using System.Text.Json.Serialization;

namespace Actors.Contracts;

/// <summary>
/// One JSON shape for grain state in PostgreSQL and for the HTTP API: snake_case names, enums as
/// snake_case strings. The SQL triggers that keep the domain tables read these names.
/// </summary>
public static class ActorsJson
{
    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.DictionaryKeyPolicy = null;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        if (!options.Converters.OfType<JsonStringEnumConverter>().Any())
        {
            options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false));
        }
        return options;
    }

    public static readonly JsonSerializerOptions Options = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    /// <summary>An enum value as the API and the domain tables spell it (<c>NotStarted</c> is <c>not_started</c>).</summary>
    public static string Name<T>(T value) where T : struct, Enum => JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());
}
