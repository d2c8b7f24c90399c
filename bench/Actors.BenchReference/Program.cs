using System.Text;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Npgsql;

// Reference D of scripts/bench.sh: what the seeds' systems do for a decision, as lean as it gets.
// An ASP.NET Core minimal API validating the same JWTs as the product (issuer, audience, HS256 key),
// then over Npgsql: read the row's version, UPDATE ... WHERE version matches, append the history
// row in the same statement, retry on a conflict. Tables: bench_d_candidates, bench_d_history
// (scripts/bench.sh creates and fills them). Configuration: ConnectionStrings__Actors,
// Auth__SigningKeys__0 (as the API: "base64:" prefix for base64), ASPNETCORE_URLS.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var raw = builder.Configuration["Auth:SigningKeys:0"] ?? throw new InvalidOperationException("Auth__SigningKeys__0 is required");
var key = raw.StartsWith("base64:", StringComparison.Ordinal) ? Convert.FromBase64String(raw["base64:".Length..]) : Encoding.UTF8.GetBytes(raw);
builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(jwt =>
{
    jwt.MapInboundClaims = false;
    jwt.TokenHandlers.Clear();
    jwt.TokenHandlers.Add(new JsonWebTokenHandler { MapInboundClaims = false });
    jwt.TokenValidationParameters = new TokenValidationParameters
    {
        ValidIssuer = builder.Configuration["Auth:Issuer"] ?? "actors",
        ValidAudience = builder.Configuration["Auth:Audience"] ?? "actors-api",
        IssuerSigningKey = new SymmetricSecurityKey(key),
        ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
        ClockSkew = TimeSpan.FromSeconds(30),
    };
});
builder.Services.AddAuthorization();
builder.Services.AddSingleton(_ => new NpgsqlDataSourceBuilder(builder.Configuration.GetConnectionString("Actors")
    ?? throw new InvalidOperationException("ConnectionStrings__Actors is required")) { ConnectionStringBuilder = { MaxAutoPrepare = 16 } }.Build());
var app = builder.Build();
app.UseAuthentication();
app.UseAuthorization();

const int MaxAttempts = 20;

app.MapPost("/candidates/{id:guid}/approve", async (Guid id, HttpContext context, NpgsqlDataSource db) =>
{
    var actor = context.User.FindFirst("sub")?.Value ?? "unknown";
    for (var attempt = 0; attempt < MaxAttempts; attempt++)
    {
        var (status, version) = await ReadAsync(db, id);
        if (status is null) return Results.NotFound();
        if (status != "pending") return Results.Conflict(new { status });
        if (await WriteAsync(db, id, version, "approved", null, actor, "approved", "pending")) return Results.Ok(new { id, status = "approved", version = version + 1 });
    }
    return Results.Conflict(new { retries = MaxAttempts });
}).RequireAuthorization();

app.MapPatch("/candidates/{id:guid}", async (Guid id, Patch body, HttpContext context, NpgsqlDataSource db) =>
{
    var actor = context.User.FindFirst("sub")?.Value ?? "unknown";
    for (var attempt = 0; attempt < MaxAttempts; attempt++)
    {
        var (status, version) = await ReadAsync(db, id);
        if (status is null) return Results.NotFound();
        if (await WriteAsync(db, id, version, status, body.company_name, actor, "updated", status)) return Results.Ok(new { id, version = version + 1 });
        Interlocked.Increment(ref Counters.Conflicts);
    }
    return Results.Conflict(new { retries = MaxAttempts });
}).RequireAuthorization();

app.MapGet("/conflicts", () => Results.Ok(new { conflicts = Counters.Conflicts }));
app.Run();

static async Task<(string? Status, long Version)> ReadAsync(NpgsqlDataSource db, Guid id)
{
    await using var read = db.CreateCommand("SELECT status, version FROM bench_d_candidates WHERE id = $1");
    read.Parameters.Add(new NpgsqlParameter { Value = id });
    await using var reader = await read.ExecuteReaderAsync();
    return await reader.ReadAsync() ? (reader.GetString(0), reader.GetInt64(1)) : (null, 0);
}

static async Task<bool> WriteAsync(NpgsqlDataSource db, Guid id, long version, string status, string? companyName, string actor, string action, string from)
{
    await using var write = db.CreateCommand(
        """
        WITH w AS (UPDATE bench_d_candidates SET status = $3, company_name = coalesce($4, company_name), version = version + 1,
                          decided_by = $5, updated_at = now()
                    WHERE id = $1 AND version = $2 RETURNING version)
        INSERT INTO bench_d_history (candidate_id, seq, at, actor, action, from_status, to_status)
        SELECT $1, version, now(), $5, $6, $7, $3 FROM w
        """);
    write.Parameters.Add(new NpgsqlParameter { Value = id });
    write.Parameters.Add(new NpgsqlParameter { Value = version });
    write.Parameters.Add(new NpgsqlParameter { Value = status });
    write.Parameters.Add(new NpgsqlParameter { Value = (object?)companyName ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
    write.Parameters.Add(new NpgsqlParameter { Value = actor });
    write.Parameters.Add(new NpgsqlParameter { Value = action });
    write.Parameters.Add(new NpgsqlParameter { Value = from });
    return await write.ExecuteNonQueryAsync() == 1;
}

internal sealed record Patch(string? company_name);

internal static class Counters
{
    public static long Conflicts;
}
