using System.Security.Cryptography;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Actors.Data.Tenants;

/// <summary>
/// Secret settings at rest: encrypted with ASP.NET Core Data Protection before they reach a row, and
/// decrypted when a grain reads the row. Stored values carry <see cref="Prefix"/>; a value without it
/// is plain text from before encryption (sql/0010) and is encrypted at the next silo start
/// (<see cref="EncryptPlainTextAsync"/>) or the tenant's next write.
/// </summary>
public sealed partial class SecretProtector(IDataProtectionProvider provider, NpgsqlDataSource db, ILogger<SecretProtector> logger)
{
    public const string Prefix = "dp1:";
    private const string Purpose = "Actors.Secrets.v1";
    private readonly IDataProtector _protector = provider.CreateProtector(Purpose);

    public string? Protect(string? secret) => secret is null ? null : Prefix + _protector.Protect(secret);

    /// <summary>
    /// The secret a stored value holds. A value encrypted under a key this process has not loaded yet
    /// (another silo made the ring's first key, or <c>rotate-keys</c> ran since this silo read the ring)
    /// is decrypted with the ring read again from the database. A value no key of the ring opens is
    /// logged and read as absent (the operator sets the password again), so the tenant keeps working.
    /// </summary>
    public string? Unprotect(string? stored)
    {
        if (stored is null || !stored.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return stored;
        }
        var payload = stored[Prefix.Length..];
        try
        {
            return _protector.Unprotect(payload);
        }
        catch (CryptographicException)
        {
            try
            {
                return FreshRing().CreateProtector(Purpose).Unprotect(payload);
            }
            catch (CryptographicException ex)
            {
                LogUndecryptable(logger, ex.Message);
                return null;
            }
        }
    }

    /// <summary>A provider over the key ring as stored now (this process's provider caches its ring for up to a day).</summary>
    private IDataProtectionProvider FreshRing()
    {
        var services = new ServiceCollection();
        services.AddDataProtection().SetApplicationName(SecretsExtensions.ApplicationName);
        services.Configure<KeyManagementOptions>(o => o.XmlRepository = new PostgresXmlRepository(db));
#pragma warning disable ASP0000 // a throwaway container on purpose: it must not share the host's cached key ring
        return services.BuildServiceProvider().GetRequiredService<IDataProtectionProvider>();
#pragma warning restore ASP0000
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A stored secret could not be decrypted with any key of the ring ({Reason}); it reads as not set")]
    private static partial void LogUndecryptable(ILogger logger, string reason);

    /// <summary>
    /// Re-encrypts every stored secret with the current default key (all of them when
    /// <paramref name="all"/>, else only plain-text ones); answers how many rows changed. The row's
    /// version is left alone: the value is the same, only its encoding changes.
    /// </summary>
    public async Task<int> EncryptPlainTextAsync(bool all = false)
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
    public const string ApplicationName = "actors";

    /// <summary>Data Protection with its key ring in PostgreSQL, and the <see cref="SecretProtector"/>.</summary>
    public static IServiceCollection AddActorsSecrets(this IServiceCollection services)
    {
        services.AddDataProtection().SetApplicationName(ApplicationName);
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
        // A protector created after the new key exists uses it as the default. Silos still holding the
        // older ring read the re-encrypted values through SecretProtector.Unprotect's fresh ring.
        var count = await services.GetRequiredService<SecretProtector>().EncryptPlainTextAsync(all: true);
        return (key.KeyId, count);
    }
}
