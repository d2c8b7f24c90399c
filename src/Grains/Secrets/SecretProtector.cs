using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Actors.Grains.Secrets;

/// <summary>
/// Secret settings at rest: encrypted with ASP.NET Core Data Protection before they reach a row, and
/// decrypted when a grain reads the row. Stored values carry <see cref="Prefix"/>; a value without it
/// is plain text from before encryption (sql/0010) and is encrypted at the next silo start
/// (<see cref="EncryptPlainTextAsync"/>) or the tenant's next write.
/// </summary>
public sealed class SecretProtector(IDataProtectionProvider provider)
{
    public const string Prefix = "dp1:";
    private readonly IDataProtector _protector = provider.CreateProtector("Actors.Secrets.v1");

    public string? Protect(string? secret) => secret is null ? null : Prefix + _protector.Protect(secret);

    public string? Unprotect(string? stored) =>
        stored is null ? null : stored.StartsWith(Prefix, StringComparison.Ordinal) ? _protector.Unprotect(stored[Prefix.Length..]) : stored;

    /// <summary>
    /// Re-encrypts every stored secret with the current default key (all of them when
    /// <paramref name="all"/>, else only plain-text ones); answers how many rows changed. The row's
    /// version is left alone: the value is the same, only its encoding changes.
    /// </summary>
    public async Task<int> EncryptPlainTextAsync(NpgsqlDataSource db, bool all = false)
    {
        var rows = new List<(string Id, string Stored)>();
        await using (var select = db.CreateCommand(
            "SELECT id, smtp_password FROM tenants WHERE smtp_password IS NOT NULL" + (all ? "" : $" AND smtp_password NOT LIKE '{Prefix}%'")))
        await using (var reader = await select.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                rows.Add((reader.GetString(0), reader.GetString(1)));
            }
        }
        var changed = 0;
        foreach (var (id, stored) in rows)
        {
            await using var update = db.CreateCommand("UPDATE tenants SET smtp_password = $2 WHERE id = $1 AND smtp_password = $3");
            update.Parameters.Add(new NpgsqlParameter { Value = id });
            update.Parameters.Add(new NpgsqlParameter { Value = Protect(Unprotect(stored))! });
            update.Parameters.Add(new NpgsqlParameter { Value = stored });
            changed += await update.ExecuteNonQueryAsync();
        }
        return changed;
    }
}

/// <summary>The Data Protection key ring as rows of <c>data_protection_keys</c> (sql/0013), shared by every silo.</summary>
public sealed class PostgresXmlRepository(NpgsqlDataSource db) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var command = db.CreateCommand("SELECT xml FROM data_protection_keys ORDER BY created_at");
        using var reader = command.ExecuteReader();
        var elements = new List<XElement>();
        while (reader.Read())
        {
            elements.Add(XElement.Parse(reader.GetString(0)));
        }
        return elements;
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var command = db.CreateCommand("INSERT INTO data_protection_keys (friendly_name, xml) VALUES ($1, $2) ON CONFLICT (friendly_name) DO NOTHING");
        command.Parameters.Add(new NpgsqlParameter { Value = friendlyName });
        command.Parameters.Add(new NpgsqlParameter { Value = element.ToString(SaveOptions.DisableFormatting) });
        command.ExecuteNonQuery();
    }
}

public static class SecretsExtensions
{
    /// <summary>Data Protection with its key ring in PostgreSQL, and the <see cref="SecretProtector"/>.</summary>
    public static IServiceCollection AddActorsSecrets(this IServiceCollection services)
    {
        services.AddDataProtection().SetApplicationName("actors");
        services.AddOptions<KeyManagementOptions>()
            .Configure<NpgsqlDataSource>((o, db) => o.XmlRepository = new PostgresXmlRepository(db));
        services.AddSingleton<SecretProtector>();
        return services;
    }

    /// <summary>A new default key from now on, and every secret re-encrypted with it (the runbook's rotation).</summary>
    public static async Task<(Guid KeyId, int Reencrypted)> RotateAsync(IServiceProvider services)
    {
        var keys = services.GetRequiredService<IKeyManager>();
        var key = keys.CreateNewKey(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(90));
        // A protector created after the new key exists uses it as the default.
        var protector = new SecretProtector(services.GetRequiredService<IDataProtectionProvider>());
        var count = await protector.EncryptPlainTextAsync(services.GetRequiredService<NpgsqlDataSource>(), all: true);
        return (key.KeyId, count);
    }
}
