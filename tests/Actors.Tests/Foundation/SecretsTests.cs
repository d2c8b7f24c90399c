using Actors.Contracts;
using Actors.Data.Tenants;
using Actors.Contracts.Tenants;
using Actors.Infrastructure.Database;
using Actors.Tests.Infrastructure;
using Microsoft.Extensions.Hosting;

namespace Actors.Tests.Foundation;

/// <summary>Secrets at rest across a key rotation made by another process while the silos keep running.</summary>
[Collection(ClusterCollection.Name)]
public sealed class SecretsTests(ClusterFixture fixture)
{
    [Fact]
    public async Task ASecretReEncryptedByARotationElsewhereIsStillReadByRunningSilos()
    {
        var s = await Scenario.StartAsync(fixture.Http);
        const string secret = "rotate-me-s3cret";
        var tenant = await s.CreateTenantAsync(new { smtp = new { host = "smtp.example.com", username = "u", password = secret } });
        var before = await fixture.Database.ScalarAsync<string>("SELECT smtp_password FROM tenants WHERE id = @t", ("t", tenant));

        // The runbook's rotation (actorsctl rotate-keys) in a process of its own: a new key, every secret re-encrypted.
        var rotation = Host.CreateApplicationBuilder();
        rotation.Services.AddActorsDatabase(fixture.Database.ConnectionString);
        rotation.Services.AddActorsSecrets();
        using (var host = rotation.Build())
        {
            var (_, reencrypted) = await SecretsExtensions.RotateAsync(host.Services);
            Assert.True(reencrypted >= 1);
        }
        var after = await fixture.Database.ScalarAsync<string>("SELECT smtp_password FROM tenants WHERE id = @t", ("t", tenant));
        Assert.NotEqual(before, after);
        Assert.StartsWith(SecretProtector.Prefix, after);

        // The silos loaded the key ring before the new key existed; a fresh activation still decrypts.
        var grain = fixture.Grains.GetGrain<ITenantGrain>(GrainKeys.Tenant(tenant));
        await fixture.Cluster.DeactivateAsync((IAddressable)grain);
        Assert.Equal(secret, (await grain.GetAsync())!.Settings.Smtp.Password);
        var read = await (await fixture.Http.SendAsync(HttpMethod.Get, $"/tenants/{tenant}", s.OperatorToken)).JsonAsync();
        Assert.True(read.GetProperty("settings").GetProperty("smtp").GetProperty("password_set").GetBoolean());
    }
}
