using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Actors.Tests.Hostile;

/// <summary>A generated request: everything needed to send it again and to describe it in a failure.</summary>
public sealed record FuzzRequest(int Seq, ApiOperation Operation, string Method, string Path, IReadOnlyList<(string Name, string Value)> Headers,
    byte[]? Body, string? ContentType, string Mutation)
{
    public string Describe()
    {
        var body = Body is null ? "" : Encoding.UTF8.GetString(Body, 0, Math.Min(Body.Length, 300));
        return $"#{Seq} {Method} {(Path.Length > 200 ? Path[..200] + "…" : Path)} [{Mutation}] ct={ContentType} headers={string.Join(",", Headers.Select(h => h.Name))} body({Body?.Length ?? 0})={body}";
    }
}

/// <summary>Who sends a request and which real ids its path parameters may name.</summary>
public sealed record FuzzTargets(
    string Tenant, string SpareTenant, string OtherTenant,
    IReadOnlyList<(string Token, string? TenantHeader, double Weight)> Callers,
    IReadOnlyDictionary<string, string[]> RealIds);

/// <summary>
/// Deterministic (seeded) generator of malformed and extreme requests from the OpenAPI operations:
/// wrong types, missing and unknown fields, huge strings, unicode edge cases, extreme numbers,
/// malformed JSON, wrong content types, garbage path ids and query values, odd headers.
/// <paramref name="alwaysInvalid"/>: every request carries at least one mutation the API must refuse.
/// </summary>
public sealed class FuzzGenerator(Random rng, OpenApiRoutes api, FuzzTargets targets, bool alwaysInvalid)
{
    private static readonly string[] UnknownFields = ["status", "version", "tenant_id", "tenant", "provider_id", "created_at", "updated_at", "id", "role_override", "__proto__", "is_active", "decided_by"];

    private static readonly string[] HostileStrings =
    [
        "", " ", "\t", "null", "true", "0", "-1", "1e309", "NaN", "Infinity", "undefined",
        "\u0000", "a\u0000b", "\u0007bell", "\r\nX-Injected: 1", "line\nbreak",
        "\uD800", "\uDFFF", "x\uD83Dy", "😀", string.Concat(Enumerable.Repeat("😀", 300)), "\u202Eevil", "\u200B", "e\u0301", "Ω≈ç√∫",
        "\uFEFFbom", "\uFFFF", "ǅ", "ß", "İ", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
        "../../../../etc/passwd", "..%2F..%2F", "%00", "%", "%zz", "' OR 1=1 --", "'; DROP TABLE tenants; --", "\" OR \"\"=\"",
        "<script>alert(1)</script>", "${jndi:ldap://x/a}", "{{7*7}}", "$(id)", "`id`", "\\", "\\u0000", "/", "//", "?a=b", "#frag",
        "http://127.0.0.1/", "http://169.254.169.254/latest/meta-data/", "file:///etc/passwd", "gopher://x", "http://[::1]:22/", "http://localhost:5432",
        "javascript:alert(1)", "ftp://x", "http://user:pass@example.com/", "mailto:a@b.c",
        "a@b", "@", "a@", "@b.c", "a@b.c", "A@B.C", "a..b@c.d", "a@b..c", "\"a b\"@c.d", "a@[127.0.0.1]", "a+tag@b.co", "très@exämple.com",
        "00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff", "{00000000-0000-0000-0000-000000000000}", "not-a-uuid",
        "* * * * *", "61 * * * *", "* * * * * *", "@reboot", "0 0 31 2 *", "*/0 * * * *", "Europe/London", "Mars/Olympus", "UTC+25", "../UTC",
        "admin", "operator", "OPERATOR", "viewer", "skip", "run_all", "allow", "diagnostics.sleep", "billing.provision", "email.send", "candidates.import",
        "-", "a", "aa", "A", "a-", "-a", "9a",
    ];

    private static readonly string[] RawNumbers =
    [
        "0", "-0", "1", "-1", "2", "20", "100", "101", "1000", "65535", "65536", "2147483647", "2147483648", "-2147483648", "-2147483649",
        "9223372036854775807", "9223372036854775808", "99999999999999999999999999999", "1.5", "-1.5", "1e2", "1E400", "-1e400", "0.0000001", "1e-400",
    ];

    private static readonly string[] MalformedBodies =
    [
        "", " ", "{", "}", "[", "{\"a\":", "{\"a\" 1}", "{'a':1}", "{a:1}", "{\"a\":1,}", "[1,2,]", "nul", "tru", "\"unterminated", "{\"a\":\"\\x\"}",
        "{\"a\":\"\\ud800\"}", "{\"a\":01}", "{\"a\":+1}", "{\"a\":.5}", "{\"a\":NaN}", "{\"a\":Infinity}", "/* c */ {}", "{} {}", "{}garbage",
        "\uFEFF{}", "{\"name\":\"a\",\"name\":\"b\"}", "null", "[]", "[{}]", "\"text\"", "123", "true", "-0", "1e999",
    ];

    private static readonly string[] OddContentTypes =
    [
        "text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/json; charset=utf-16",
        "application/json; charset=latin1", "application/octet-stream", "application/problem+json", "*/*", "application/jsonx", "image/png",
    ];

    private int _seq;

    public FuzzRequest Next(ApiOperation op)
    {
        var seq = Interlocked.Increment(ref _seq);
        var mutations = new List<string>();
        var headers = new List<(string, string)>();

        // Caller: the tenant's users, the operator acting in the tenant, nobody, garbage.
        var caller = PickCaller();
        if (caller.Token.Length > 0) headers.Add(("Authorization", "Bearer " + caller.Token));
        if (caller.TenantHeader is not null) headers.Add(("X-Tenant-Id", caller.TenantHeader));

        // Path parameters: a real id of the tenant, or garbage.
        var path = op.Template;
        var mustBreakPath = alwaysInvalid && op.Method != "GET" && op.ContentTypes.Count == 0 && op.PathParams.Count > 0;
        var breakAt = mustBreakPath ? rng.Next(op.PathParams.Count) : -1;
        for (var i = 0; i < op.PathParams.Count; i++)
        {
            var name = op.PathParams[i];
            string value;
            if (i == breakAt || rng.NextDouble() < 0.3)
            {
                value = GarbageId(alwaysInvalid && i == breakAt);
                mutations.Add($"path.{name}=garbage");
            }
            else
            {
                value = RealId(op, name);
            }
            path = path.Replace("{" + name + "}", Escape(value), StringComparison.Ordinal);
        }

        // Query parameters: valid, extreme or garbage; sometimes repeated or unknown.
        var query = new List<string>();
        foreach (var (name, type) in op.QueryParams)
        {
            if (rng.NextDouble() < 0.5) continue;
            var value = rng.NextDouble() < 0.5 && type is "integer" ? Pick(RawNumbers) : Pick(HostileStrings);
            query.Add($"{Uri.EscapeDataString(name)}={Escape(value)}");
            if (rng.NextDouble() < 0.1) query.Add($"{Uri.EscapeDataString(name)}={Escape(Pick(RawNumbers))}");
            mutations.Add($"query.{name}");
        }
        if (rng.NextDouble() < 0.05) query.Add("unknown=" + Escape(Pick(HostileStrings)));
        if (query.Count > 0) path += "?" + string.Join("&", query);

        // Extra headers: idempotency keys, If-Match, a tenant header, a request id.
        if (rng.NextDouble() < 0.15) headers.Add(("Idempotency-Key", Pick(["k-" + rng.Next(), "", new string('k', 300), "sp ace", "é", "k\u007f", Guid.NewGuid().ToString()])));
        if (rng.NextDouble() < 0.1) headers.Add(("If-Match", Pick(["\"1\"", "W/\"1\"", "*", "\"x\"", "garbage", "\"99999999999999999999\"", "\"-1\"", "\"1\", \"2\""])));
        if (rng.NextDouble() < 0.05) headers.Add(("X-Tenant-Id", Pick([targets.OtherTenant, "BAD TENANT", "a", new string('t', 100), targets.Tenant])));
        if (rng.NextDouble() < 0.05) headers.Add(("X-Request-Id", Pick(["r-1", new string('r', 5000), "é"])));

        // Body.
        byte[]? body = null;
        string? contentType = null;
        if (op.ContentTypes.Count > 0)
        {
            (body, contentType) = Body(op, mutations, mustBeInvalid: alwaysInvalid);
        }
        else if (rng.NextDouble() < 0.05)
        {
            body = Encoding.UTF8.GetBytes(Pick(MalformedBodies));
            contentType = "application/json";
            mutations.Add("body-on-bodyless-route");
        }
        return new FuzzRequest(seq, op, op.Method, path, headers, body, contentType, string.Join(" ", mutations));
    }

    private (string Token, string? TenantHeader, double Weight) PickCaller()
    {
        var total = targets.Callers.Sum(c => c.Weight);
        var x = rng.NextDouble() * total;
        foreach (var c in targets.Callers)
        {
            if ((x -= c.Weight) <= 0) return c;
        }
        return targets.Callers[^1];
    }

    private string RealId(ApiOperation op, string name)
    {
        // Tenant routes other than users act on the spare tenant (the fuzz must not suspend its own).
        var key = name == "id" && op.Template.StartsWith("/tenants/{id}", StringComparison.Ordinal)
            ? op.Template.StartsWith("/tenants/{id}/users", StringComparison.Ordinal) ? "tenant" : "spare_tenant"
            : name == "id" ? op.Template.Split('/', StringSplitOptions.RemoveEmptyEntries)[0] : name;
        return targets.RealIds.TryGetValue(key, out var ids) && ids.Length > 0 ? Pick(ids) : Pick(HostileStrings);
    }

    private string GarbageId(bool mustBeInvalid)
    {
        string[] pool = mustBeInvalid
            ? ["not-a-uuid", "1", "zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz", new string('9', 5000), "😀", "%00", "..", "' OR 1=1 --", Guid.NewGuid().ToString()]
            : [.. HostileStrings, Guid.NewGuid().ToString(), Guid.NewGuid().ToString("N"), Guid.NewGuid().ToString().ToUpperInvariant(), new string('x', 3000), targets.OtherTenant];
        var value = Pick(pool);
        return value.Length == 0 ? "%20" : value;
    }

    private (byte[] Body, string ContentType) Body(ApiOperation op, List<string> mutations, bool mustBeInvalid)
    {
        var roll = rng.NextDouble();
        if (roll < 0.12)
        {
            mutations.Add("malformed-json");
            var text = Pick(MalformedBodies);
            if (mustBeInvalid && text is "{}" or "[]" or "null" or "{\"name\":\"a\",\"name\":\"b\"}" or "/* c */ {}" or "\uFEFF{}") text = "{";
            return (Encoding.UTF8.GetBytes(text), "application/json");
        }
        if (roll < 0.17)
        {
            mutations.Add("invalid-utf8");
            return ([(byte)'{', (byte)'"', (byte)'n', (byte)'a', (byte)'m', (byte)'e', (byte)'"', (byte)':', (byte)'"', 0xC3, 0x28, 0xFF, 0xFE, (byte)'"', (byte)'}'], "application/json");
        }
        if (roll < 0.20)
        {
            mutations.Add("deep-nesting");
            var depth = Pick([65, 200, 5000]);
            return (Encoding.UTF8.GetBytes(new string('[', depth) + new string(']', depth)), "application/json");
        }
        if (roll < 0.21)
        {
            mutations.Add("over-1MB");
            var huge = "{\"name\":\"" + new string('x', 1_100_000) + "\"}";
            return (Encoding.UTF8.GetBytes(huge), "application/json");
        }

        var nearValid = !mustBeInvalid && rng.NextDouble() < 0.4;
        var value = nearValid ? Valid(op.BodySchema ?? default, "body") : Value(op.BodySchema ?? default, "body", depth: 0, mutations);
        if (nearValid && value is List<KeyValuePair<string, object?>> fields && fields.Count > 0 && rng.NextDouble() < 0.7)
        {
            // A valid body with exactly one field made hostile: reaches the deeper checks behind the first refusal.
            var at = rng.Next(fields.Count);
            var hostile = rng.NextDouble() < 0.5 ? AnyValue() : Pick(HostileStrings);
            fields[at] = new(fields[at].Key, hostile);
            mutations.Add("one-bad." + fields[at].Key);
        }
        else if (nearValid)
        {
            mutations.Add("valid");
        }
        var unknownAdded = false;
        if (value is List<KeyValuePair<string, object?>> obj)
        {
            if (mustBeInvalid || (!nearValid && rng.NextDouble() < 0.3))
            {
                var field = Pick(UnknownFields);
                obj.Insert(rng.Next(obj.Count + 1), new(field, RandomScalar()));
                mutations.Add("unknown." + field);
                unknownAdded = true;
            }
            // Drop some properties (missing fields).
            if (!nearValid && rng.NextDouble() < 0.3 && obj.Count > 0)
            {
                var at = rng.Next(obj.Count);
                if (!(unknownAdded && UnknownFields.Contains(obj[at].Key)))
                {
                    mutations.Add("missing." + obj[at].Key);
                    obj.RemoveAt(at);
                }
            }
        }
        else if (mustBeInvalid)
        {
            value = new List<KeyValuePair<string, object?>> { new(Pick(UnknownFields), "x") };
            mutations.Add("unknown-only");
        }
        var json = Write(value);
        var contentType = "application/json";
        if (rng.NextDouble() < 0.08)
        {
            contentType = Pick(OddContentTypes);
            mutations.Add("content-type=" + contentType);
        }
        var bytes = contentType.Contains("utf-16", StringComparison.Ordinal) ? Encoding.Unicode.GetBytes(json) : Encoding.UTF8.GetBytes(json);
        return (bytes, contentType);
    }

    /// <summary>A valid value for a schema, by field name: what a careful client would send.</summary>
    private object? Valid(JsonElement schema, string name)
    {
        schema = api.Resolve(schema);
        switch (OpenApiRoutes.TypeOf(schema))
        {
            case "object":
                var obj = new List<KeyValuePair<string, object?>>();
                if (schema.TryGetProperty("properties", out var props))
                {
                    foreach (var p in props.EnumerateObject())
                    {
                        if (p.Name is "password" && name == "smtp") continue;
                        if (rng.NextDouble() < 0.2) continue;
                        obj.Add(new(p.Name, Valid(p.Value, p.Name)));
                    }
                }
                return obj;
            case "array":
                return Enumerable.Range(0, rng.Next(0, 3)).Select(i => (object?)("p" + i)).ToList();
            case "integer":
            case "number":
                return new Raw(name switch
                {
                    "port" => "587",
                    "requests_per_second" => "100000",
                    "max_concurrent_jobs" => "2",
                    "max_candidates" => "100000",
                    "max_schedules" => "100",
                    "max_active_jobs" => "1000",
                    _ => rng.Next(1, 6).ToString(CultureInfo.InvariantCulture),
                });
            case "boolean":
                return rng.NextDouble() < 0.5;
            case "string":
                return name switch
                {
                    "email" or "contact_email" or "from_address" => $"fz{rng.Next()}@fuzz.example",
                    "password" => "password-" + rng.Next(),
                    "id" => "fz" + rng.Next(1_000_000).ToString(CultureInfo.InvariantCulture),
                    "role" => Pick(["admin", "reviewer", "viewer"]),
                    "cron" => Pick(["*/5 * * * *", "0 3 * * *", "0 0 1 1 *"]),
                    "time_zone" => Pick(["UTC", "Europe/London", "America/New_York"]),
                    "type" => rng.NextDouble() < 0.8 ? "diagnostics.sleep" : Pick(["email.send", "candidates.import"]),
                    "missed_policy" => Pick(["skip", "run_once", "run_all"]),
                    "overlap_policy" => Pick(["skip", "allow"]),
                    "billing_service_url" => "https://billing.example.com",
                    "host" => "smtp.example.com",
                    "contact_phone" => "+44 20 7946 0" + rng.Next(100, 999),
                    _ => "Fuzz " + rng.Next(),
                };
            default:
                return new List<KeyValuePair<string, object?>> { new("steps", new Raw("1")), new("step_ms", new Raw("1")) };
        }
    }

    /// <summary>A value for a schema: mostly well-typed (name-aware), often hostile, sometimes of the wrong type.</summary>
    private object? Value(JsonElement schema, string name, int depth, List<string> mutations)
    {
        schema = api.Resolve(schema);
        var type = OpenApiRoutes.TypeOf(schema);
        if (depth > 0 && rng.NextDouble() < 0.12)
        {
            mutations.Add("wrong-type." + name);
            return WrongType(type);
        }
        switch (type)
        {
            case "object":
                var obj = new List<KeyValuePair<string, object?>>();
                if (schema.TryGetProperty("properties", out var props))
                {
                    foreach (var p in props.EnumerateObject())
                    {
                        if (rng.NextDouble() < 0.15) continue;
                        obj.Add(new(p.Name, Value(p.Value, p.Name, depth + 1, mutations)));
                    }
                }
                return obj;
            case "array":
                var items = schema.TryGetProperty("items", out var it) ? it : default;
                var count = Pick([0, 1, 2, 3, 51, 1001]);
                return Enumerable.Range(0, count).Select(_ => Value(items, name + "[]", depth + 1, mutations)).ToList();
            case "integer":
            case "number":
                return new Raw(rng.NextDouble() < 0.3 ? rng.Next(1, 10).ToString(CultureInfo.InvariantCulture) : Pick(RawNumbers));
            case "boolean":
                return rng.NextDouble() < 0.8 ? rng.NextDouble() < 0.5 : WrongType("boolean");
            case "string":
                return StringFor(name);
            default: // any (JsonElement: job parameters)
                return Parameters();
        }
    }

    private object? Parameters()
    {
        switch (rng.Next(9))
        {
            case 0: return new List<KeyValuePair<string, object?>> { new("steps", AnyValue()), new("step_ms", new Raw(Pick(["1", "0", "-1", "100000000"]))), new("fail_attempts", AnyValue()) };
            case 1: return new List<KeyValuePair<string, object?>> { new("recipients", new List<object?> { Pick(HostileStrings), "a@b.example" }), new("subject", Pick(HostileStrings)), new("body", Pick(HostileStrings)) };
            case 2: return new List<KeyValuePair<string, object?>> { new("csv", "company_name,contact_email,contact_phone,products\n" + Pick(HostileStrings) + "," + Pick(HostileStrings) + ",,a;b") };
            case 3: return new List<KeyValuePair<string, object?>> { new("rows", Pick<object?>([new List<object?> { new List<KeyValuePair<string, object?>> { new("company_name", AnyValue()), new("contact_email", "x@y.example"), new("products", AnyValue()) } }, new List<object?> { AnyValue(), AnyValue() }, AnyValue()])) };
            case 7: return new List<KeyValuePair<string, object?>> { new("recipients", AnyValue()), new("subject", AnyValue()), new("body", AnyValue()), new("csv", AnyValue()) };
            case 4: return new List<KeyValuePair<string, object?>> { new("blob", new string('p', Pick([10, 70_000]))) };
            case 5: return new Raw(new string('{', 0) + Pick(["[]", "\"s\"", "1", "null", "true"]));
            case 6: return new List<KeyValuePair<string, object?>> { new("candidate_id", Guid.NewGuid().ToString()) };
            default: return new List<KeyValuePair<string, object?>>();
        }
    }

    private string StringFor(string name)
    {
        if (rng.NextDouble() < 0.1) return new string('x', Pick([256, 1_000, 70_000, 300_000]));
        if (rng.NextDouble() < 0.5) return Pick(HostileStrings);
        var slug = "f" + rng.Next(1_000_000).ToString(CultureInfo.InvariantCulture);
        return name switch
        {
            "email" or "contact_email" or "from_address" => $"fz{rng.Next()}@fuzz.example",
            "password" => "password-" + rng.Next(),
            "id" => slug,
            "name" or "company_name" or "reason" or "host" or "username" or "product" => "Fuzz " + rng.Next(),
            "role" => Pick(["admin", "reviewer", "viewer", "operator"]),
            "cron" => Pick(["*/5 * * * *", "0 3 * * *", "0 0 1 1 *"]),
            "time_zone" => Pick(["UTC", "Europe/London", "America/New_York"]),
            "type" => Pick(["diagnostics.sleep", "email.send", "candidates.import", "billing.provision"]),
            "missed_policy" => Pick(["skip", "run_once", "run_all"]),
            "overlap_policy" => Pick(["skip", "allow"]),
            "billing_service_url" => Pick(["https://billing.example.com", "http://127.0.0.1:1", "http://10.0.0.1/", "http://169.254.169.254/"]),
            "contact_phone" => "+44 20 7946 0" + rng.Next(100, 999),
            _ => "v" + rng.Next(),
        };
    }

    private object? WrongType(string expected) => expected switch
    {
        "string" => Pick<object?>([new Raw("123"), true, new Raw("null"), new List<object?>(), new List<KeyValuePair<string, object?>>()]),
        "integer" or "number" => Pick<object?>(["12", "abc", true, new List<object?> { new Raw("1") }, new Raw("1.5")]),
        "boolean" => Pick<object?>(["true", new Raw("1"), new Raw("0"), "yes"]),
        "array" => Pick<object?>(["a;b", new Raw("1"), new List<KeyValuePair<string, object?>>()]),
        "object" => Pick<object?>(["{}", new Raw("1"), new List<object?>()]),
        _ => Pick<object?>([new Raw("1"), "s"]),
    };

    /// <summary>Any JSON value: numbers (extreme), strings (hostile), booleans, null, arrays, objects.</summary>
    private object? AnyValue() => rng.Next(7) switch
    {
        0 => new Raw(Pick(RawNumbers)),
        1 => Pick(HostileStrings),
        2 => rng.NextDouble() < 0.5,
        3 => new Raw("null"),
        4 => new List<object?> { Pick(HostileStrings), new Raw(Pick(RawNumbers)) },
        5 => new List<KeyValuePair<string, object?>> { new(Pick(UnknownFields), Pick(HostileStrings)) },
        _ => new Raw(rng.Next(0, 5).ToString(CultureInfo.InvariantCulture)),
    };

    private object? RandomScalar() => Pick<object?>(["suspended", "approved", new Raw("999"), "other-tenant", "2000-01-01T00:00:00Z", true, new Raw("null")]);

    private T Pick<T>(IReadOnlyList<T> items) => items[rng.Next(items.Count)];

    private static string Escape(string value) => Uri.EscapeDataString(value.Replace("\uD800", "?").Replace("\uDFFF", "?"))
        // Keep some raw reserved characters so routing sees them too.
        .Replace("%2F", value.Contains("..", StringComparison.Ordinal) ? "/" : "%2F", StringComparison.Ordinal);

    /// <summary>A raw JSON token written as is (numbers out of range, literals).</summary>
    private sealed record Raw(string Text);

    private static string Write(object? value)
    {
        var sb = new StringBuilder();
        Write(sb, value);
        return sb.ToString();
    }

    private static void Write(StringBuilder sb, object? value)
    {
        switch (value)
        {
            case null: sb.Append("null"); break;
            case Raw r: sb.Append(r.Text); break;
            case bool b: sb.Append(b ? "true" : "false"); break;
            case string s: sb.Append(JsonSerializer.Serialize(s)); break;
            case List<KeyValuePair<string, object?>> o:
                sb.Append('{');
                for (var i = 0; i < o.Count; i++)
                {
                    if (i > 0) sb.Append(',');
                    sb.Append(JsonSerializer.Serialize(o[i].Key)).Append(':');
                    Write(sb, o[i].Value);
                }
                sb.Append('}');
                break;
            case List<object?> a:
                sb.Append('[');
                for (var i = 0; i < a.Count; i++)
                {
                    if (i > 0) sb.Append(',');
                    Write(sb, a[i]);
                }
                sb.Append(']');
                break;
            default: sb.Append(JsonSerializer.Serialize(value)); break;
        }
    }
}
