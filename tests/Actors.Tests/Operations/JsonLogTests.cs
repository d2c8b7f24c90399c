using System.Text.Json;
using Actors.Infrastructure.Logging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Actors.Tests.Operations;

public sealed class JsonLogTests
{
    [Fact]
    public void InnerScopeRequestIdWinsAndEveryRequestFieldIsWritten()
    {
        var scopes = new LoggerExternalScopeProvider();
        using var host = scopes.Push(new Dictionary<string, object?> { ["RequestId"] = "0HN-connection:1", ["RequestPath"] = "/x" });
        using var ours = scopes.Push(new Dictionary<string, object?> { ["request_id"] = "trace-me-123" });
        var state = new Dictionary<string, object?>
        {
            ["Method"] = "GET", ["Endpoint"] = "/candidates/{id}", ["StatusCode"] = 200, ["DurationMs"] = 1.23456,
            ["TenantId"] = "acme", ["UserId"] = "boss@acme.example", ["{OriginalFormat}"] = "{Method} {Endpoint}",
        };
        var entry = new LogEntry<Dictionary<string, object?>>(LogLevel.Information, "Actors.Request", new EventId(1, "request"), state, null, (_, _) => "GET /candidates/{id} 200");
        using var writer = new StringWriter();

        new JsonLineFormatter().Write(entry, scopes, writer);

        var line = writer.ToString();
        Assert.EndsWith("\n", line);
        Assert.Single(line.TrimEnd('\n').Split('\n'));
        var json = JsonDocument.Parse(line).RootElement;
        Assert.Equal("trace-me-123", json.GetProperty("request_id").GetString());
        Assert.Equal("info", json.GetProperty("level").GetString());
        Assert.Equal("Actors.Request", json.GetProperty("logger").GetString());
        Assert.Equal("request", json.GetProperty("event").GetString());
        Assert.EndsWith("Z", json.GetProperty("timestamp").GetString());
        Assert.Equal("/candidates/{id}", json.GetProperty("endpoint").GetString());
        Assert.Equal(200, json.GetProperty("status_code").GetInt32());
        Assert.Equal(1.235, json.GetProperty("duration_ms").GetDouble());
        Assert.Equal("acme", json.GetProperty("tenant_id").GetString());
        Assert.Equal("boss@acme.example", json.GetProperty("user_id").GetString());
        Assert.False(json.TryGetProperty("{OriginalFormat}", out _));
    }
}
