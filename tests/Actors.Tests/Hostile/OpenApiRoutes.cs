using System.Text.Json;

namespace Actors.Tests.Hostile;

/// <summary>One operation of the live OpenAPI description: its parameters and the JSON schema of its body.</summary>
public sealed record ApiOperation(
    string Method, string Template, IReadOnlyList<string> PathParams, IReadOnlyList<(string Name, string Type)> QueryParams,
    IReadOnlyList<string> ContentTypes, JsonElement? BodySchema)
{
    public override string ToString() => $"{Method} {Template}";
}

/// <summary>Reads the operations and resolves <c>$ref</c> / <c>oneOf</c> schemas of an OpenAPI 3.1 document.</summary>
public sealed class OpenApiRoutes
{
    private readonly JsonElement _schemas;

    public IReadOnlyList<ApiOperation> Operations { get; }

    public OpenApiRoutes(string json)
    {
        var root = JsonDocument.Parse(json).RootElement.Clone();
        _schemas = root.TryGetProperty("components", out var c) && c.TryGetProperty("schemas", out var s) ? s : default;
        var operations = new List<ApiOperation>();
        foreach (var path in root.GetProperty("paths").EnumerateObject())
        {
            foreach (var op in path.Value.EnumerateObject())
            {
                if (op.Name is "parameters" or "summary" or "description")
                {
                    continue;
                }
                var pathParams = new List<string>();
                var query = new List<(string, string)>();
                if (op.Value.TryGetProperty("parameters", out var ps))
                {
                    foreach (var p in ps.EnumerateArray())
                    {
                        var name = p.GetProperty("name").GetString()!;
                        var type = p.TryGetProperty("schema", out var schema) ? TypeOf(Resolve(schema)) : "string";
                        if (p.GetProperty("in").GetString() == "path") pathParams.Add(name);
                        else if (p.GetProperty("in").GetString() == "query") query.Add((name, type));
                    }
                }
                var contentTypes = new List<string>();
                JsonElement? body = null;
                if (op.Value.TryGetProperty("requestBody", out var rb) && rb.TryGetProperty("content", out var content))
                {
                    foreach (var ct in content.EnumerateObject())
                    {
                        contentTypes.Add(ct.Name);
                        if (ct.Name == "application/json" && ct.Value.TryGetProperty("schema", out var bs))
                        {
                            body = Resolve(bs);
                        }
                    }
                }
                operations.Add(new ApiOperation(op.Name.ToUpperInvariant(), path.Name, pathParams, query, contentTypes, body));
            }
        }
        Operations = operations;
    }

    /// <summary>Follows <c>$ref</c> and picks the non-null branch of <c>oneOf</c>/<c>anyOf</c>.</summary>
    public JsonElement Resolve(JsonElement schema)
    {
        for (var i = 0; i < 10; i++)
        {
            if (schema.ValueKind != JsonValueKind.Object) return schema;
            if (schema.TryGetProperty("$ref", out var r))
            {
                var name = r.GetString()!.Split('/')[^1];
                schema = _schemas.GetProperty(name);
                continue;
            }
            if (schema.TryGetProperty("oneOf", out var one) || schema.TryGetProperty("anyOf", out one))
            {
                var branch = one.EnumerateArray().FirstOrDefault(b => !(b.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String && t.GetString() == "null"));
                if (branch.ValueKind == JsonValueKind.Undefined) return schema;
                schema = branch;
                continue;
            }
            return schema;
        }
        return schema;
    }

    /// <summary>The schema's main type (first non-null of a type list); "any" when it has none.</summary>
    public static string TypeOf(JsonElement schema)
    {
        if (schema.ValueKind != JsonValueKind.Object || !schema.TryGetProperty("type", out var t)) return "any";
        if (t.ValueKind == JsonValueKind.String) return t.GetString()!;
        return t.EnumerateArray().Select(x => x.GetString()!).FirstOrDefault(x => x != "null") ?? "null";
    }
}
