using System.Net;
using Actors.Contracts;
using Actors.Contracts.Tenants;
using Actors.Tests.Infrastructure;

namespace Actors.Tests.Hostile;

/// <summary>
/// SSRF (OWASP API7): a tenant's billing and SMTP hosts are checked when the settings are written
/// (400 naming the field) and again when the silo calls them (resolved, then connected only to an
/// allowed address). Loopback is allowed only where <c>Outbound:AllowLoopback</c> says so (the test
/// hosts, run-local.sh); link-local (cloud metadata) never.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class OutboundTests(ClusterFixture fixture)
{
    private static readonly OutboundOptions Strict = new();
    private static readonly OutboundOptions Loopback = new() { AllowLoopback = true };

    [Theory]
    [InlineData("127.0.0.1", "is a loopback address")]
    [InlineData("127.9.9.9", "is a loopback address")]
    [InlineData("::1", "is a loopback address")]
    [InlineData("::ffff:127.0.0.1", "is a loopback address")]
    [InlineData("169.254.169.254", "is a link-local address")]
    [InlineData("fe80::1", "is a link-local address")]
    [InlineData("10.1.2.3", "is a private network address")]
    [InlineData("172.16.0.1", "is a private network address")]
    [InlineData("172.31.255.255", "is a private network address")]
    [InlineData("192.168.1.1", "is a private network address")]
    [InlineData("100.64.0.1", "is a private network address")]
    [InlineData("fd00::1", "is a private network address")]
    [InlineData("0.0.0.0", "is an unspecified, multicast or reserved address")]
    [InlineData("::", "is an unspecified, multicast or reserved address")]
    [InlineData("224.0.0.1", "is an unspecified, multicast or reserved address")]
    [InlineData("255.255.255.255", "is an unspecified, multicast or reserved address")]
    [InlineData("172.32.0.1", null)]
    [InlineData("8.8.8.8", null)]
    [InlineData("2001:4860:4860::8888", null)]
    public void AddressesAreJudgedByTheirRange(string address, string? refusal)
    {
        Assert.Equal(refusal, OutboundPolicy.Refusal(IPAddress.Parse(address), Strict));
    }

    [Fact]
    public void LoopbackAndPrivateNetworksAreAllowedOnlyWhenConfiguredButLinkLocalNever()
    {
        Assert.Null(OutboundPolicy.Refusal(IPAddress.Loopback, Loopback));
        Assert.NotNull(OutboundPolicy.Refusal(IPAddress.Parse("10.0.0.1"), Loopback));
        Assert.Null(OutboundPolicy.Refusal(IPAddress.Parse("10.0.0.1"), new OutboundOptions { AllowPrivateNetworks = true }));
        var everything = new OutboundOptions { AllowLoopback = true, AllowPrivateNetworks = true };
        Assert.NotNull(OutboundPolicy.Refusal(IPAddress.Parse("169.254.169.254"), everything));
        Assert.NotNull(OutboundPolicy.Refusal(IPAddress.Parse("0.0.0.0"), everything));
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("LOCALHOST.")]
    [InlineData("api.localhost")]
    [InlineData("2130706433")]
    [InlineData("127.1")]
    [InlineData("[::1]")]
    public void HostsWrittenAsLoopbackInAnyNotationAreRefused(string host)
    {
        Assert.Equal("is a loopback address", OutboundPolicy.CheckHost(host, Strict));
        Assert.Null(OutboundPolicy.CheckHost(host, Loopback));
    }

    [Fact]
    public async Task NamesAreJudgedByWhatTheyResolveToAtCallTime()
    {
        await Assert.ThrowsAsync<OutboundRefusedException>(() => OutboundPolicy.ConnectAsync("localhost", 9, Strict, CancellationToken.None));
        // This machine's own name passes the written check and is refused by what it resolves to
        // (a loopback or private address on test machines and containers).
        var name = Dns.GetHostName();
        Assert.Null(OutboundPolicy.CheckHost(name, Strict));
        if ((await Dns.GetHostAddressesAsync(name)).Any(a => OutboundPolicy.Refusal(a, Strict) is not null))
        {
            var refused = await Assert.ThrowsAsync<OutboundRefusedException>(() => OutboundPolicy.ConnectAsync(name, 9, Strict, CancellationToken.None));
            Assert.Contains("resolves to", refused.Message);
        }
        Assert.Equal("is not a host name or IP address", OutboundPolicy.CheckHost("bad host", Strict));
        Assert.Null(OutboundPolicy.CheckHost("billing.example.com", Strict));
    }

    public static TheoryData<string, object> InternalSettings() => new()
    {
        { "settings.billing_service_url", new { billing_service_url = "http://127.0.0.1:8080/" } },
        { "settings.billing_service_url", new { billing_service_url = "http://localhost/" } },
        { "settings.billing_service_url", new { billing_service_url = "http://169.254.169.254/latest/meta-data/" } },
        { "settings.billing_service_url", new { billing_service_url = "http://[::1]:5432/" } },
        { "settings.billing_service_url", new { billing_service_url = "http://[::ffff:127.0.0.1]/" } },
        { "settings.billing_service_url", new { billing_service_url = "http://2130706433/" } },
        { "settings.billing_service_url", new { billing_service_url = "https://10.0.0.5/" } },
        { "settings.billing_service_url", new { billing_service_url = "http://0.0.0.0:80/" } },
        { "settings.smtp.host", new { smtp = new { host = "127.0.0.1" } } },
        { "settings.smtp.host", new { smtp = new { host = "localhost" } } },
        { "settings.smtp.host", new { smtp = new { host = "169.254.169.254" } } },
        { "settings.smtp.host", new { smtp = new { host = "192.168.0.10" } } },
        { "settings.smtp.host", new { smtp = new { host = "mail.example.com\r\nRCPT TO:<x@y.z>" } } },
    };

    [Fact]
    public async Task SettingsNamingAnInternalHostAreRefusedWithTheFieldAndNothingIsWrittenButPublicHostsPass()
    {
        // A second API on the same cluster with the production default: no loopback.
        await using var strict = new ApiHost(fixture.Database.ConnectionString, fixture.Cluster.Options.ClusterId,
            new Dictionary<string, string?> { ["Outbound:AllowLoopback"] = "false" });
        using var http = strict.StartHttp();
        await Wait.UntilAsync(async () => (await http.GetAsync("/readyz")).IsSuccessStatusCode, TimeSpan.FromSeconds(60), "strict API ready");
        var op = await TestAuth.OperatorTokenAsync(http);
        var existing = await new Scenario(http, op).CreateTenantAsync();
        var before = await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM tenants");

        foreach (var row in InternalSettings())
        {
            var (field, settings) = ((string)row[0], row[1]);
            var created = await http.SendAsync(HttpMethod.Post, "/tenants", op, new { id = TestAuth.NewSlug(), name = "Internal", settings });
            var patched = await http.SendAsync(HttpMethod.Patch, $"/tenants/{existing}", op, new { settings });
            foreach (var response in new[] { created, patched })
            {
                Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{System.Text.Json.JsonSerializer.Serialize(settings)}: {(int)response.StatusCode}");
                Assert.True((await response.JsonAsync()).GetProperty("errors").TryGetProperty(field, out _), $"no error for {field}");
            }
        }
        Assert.Equal(before, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM tenants"));
        var stored = await (await http.SendAsync(HttpMethod.Get, $"/tenants/{existing}", op)).JsonAsync();
        Assert.Equal(System.Text.Json.JsonValueKind.Null, stored.GetProperty("settings").GetProperty("billing_service_url").ValueKind);
        Assert.Null(stored.GetProperty("settings").GetProperty("smtp").GetProperty("host").GetString());

        var publicHosts = await http.SendAsync(HttpMethod.Post, "/tenants", op, new
        {
            id = TestAuth.NewSlug(), name = "Public",
            settings = new { billing_service_url = "https://billing.example.com/api", smtp = new { host = "smtp.example.com", port = 587 } },
        });
        Assert.Equal(HttpStatusCode.Created, publicHosts.StatusCode);
    }

    [Fact]
    public async Task TheTestApiAllowsLoopbackButStillRefusesLinkLocalAndPrivateHosts()
    {
        var op = await TestAuth.OperatorTokenAsync(fixture.Http);

        var loopback = await fixture.Http.SendAsync(HttpMethod.Post, "/tenants", op, new { id = TestAuth.NewSlug(), name = "L", settings = new { billing_service_url = "http://127.0.0.1:9/" } });
        var metadata = await fixture.Http.SendAsync(HttpMethod.Post, "/tenants", op, new { id = TestAuth.NewSlug(), name = "M", settings = new { billing_service_url = "http://169.254.169.254/" } });
        var internalNet = await fixture.Http.SendAsync(HttpMethod.Post, "/tenants", op, new { id = TestAuth.NewSlug(), name = "P", settings = new { smtp = new { host = "10.0.0.25" } } });

        Assert.Equal(HttpStatusCode.Created, loopback.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, metadata.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, internalNet.StatusCode);
    }

    [Fact]
    public async Task BillingCallToAnInternalAddressIsRefusedAtCallTimeWithoutRetrying()
    {
        var s = await Scenario.StartAsync(fixture.Http);
        var tenant = await s.CreateTenantAsync();
        // Settings stored before the write-time check existed (or a name re-pointed since): only the call-time check stands.
        await fixture.Grains.GetGrain<ITenantGrain>(GrainKeys.Tenant(tenant)).UpdateAsync(new TenantPatch { BillingServiceUrl = "http://169.254.169.254/latest" });
        var token = await s.UserTokenAsync(tenant, "admin");
        var created = await (await fixture.Http.SendAsync(HttpMethod.Post, "/candidates", token,
            new { company_name = "Ssrf Co", contact_email = "ssrf@co.example", products = new[] { "a" } })).JsonAsync();
        var id = created.GetProperty("id").GetString();

        Assert.Equal(HttpStatusCode.OK, (await fixture.Http.SendAsync(HttpMethod.Post, $"/candidates/{id}/approve", token)).StatusCode);
        var candidate = await fixture.Http.WaitForProvisioningAsync(token, $"/candidates/{id}", "failed");

        Assert.StartsWith("outbound_refused", candidate.GetProperty("provisioning_error").GetString());
        // The handler marks the candidate before its job's own last write lands: wait for the job's end.
        System.Text.Json.JsonElement job = default;
        await Wait.UntilAsync(async () =>
        {
            job = (await (await fixture.Http.SendAsync(HttpMethod.Get, "/jobs?type=billing.provision", token)).JsonAsync()).GetProperty("items")[0];
            return job.GetProperty("status").GetString() == "failed";
        }, TimeSpan.FromSeconds(10), "the provisioning job ends failed");
        Assert.Equal(1, job.GetProperty("attempts").GetInt32());
    }

    [Fact]
    public async Task EmailToAnInternalSmtpHostIsRefusedAtCallTime()
    {
        var s = await Scenario.StartAsync(fixture.Http);
        var tenant = await s.CreateTenantAsync();
        await fixture.Grains.GetGrain<ITenantGrain>(GrainKeys.Tenant(tenant)).UpdateAsync(new TenantPatch
        {
            Smtp = new SmtpSettings { Host = "169.254.169.254", Port = 25, UseTls = false, FromAddress = "noreply@actors.example" },
        });
        var token = await s.UserTokenAsync(tenant, "reviewer");

        var submitted = await fixture.Http.SendAsync(HttpMethod.Post, "/jobs", token,
            new { type = "email.send", parameters = new { recipients = new[] { "a@x.example" }, subject = "Hi", body = "Hello" } });
        var job = await fixture.Http.WaitForStatusAsync(token, submitted.Headers.Location!.OriginalString, "failed", "completed");

        Assert.Equal("failed", job.GetProperty("status").GetString());
        Assert.Equal("outbound_refused", job.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(1, job.GetProperty("attempts").GetInt32());
    }
}

internal static class ProvisioningWait
{
    public static async Task<System.Text.Json.JsonElement> WaitForProvisioningAsync(this HttpClient http, string token, string location, string provisioning)
    {
        System.Text.Json.JsonElement body = default;
        await Wait.UntilAsync(async () =>
        {
            body = await (await http.SendAsync(HttpMethod.Get, location, token)).JsonAsync();
            return body.GetProperty("provisioning").GetString() == provisioning;
        }, TimeSpan.FromSeconds(30), $"{location} provisioning {provisioning}");
        return body;
    }
}

public sealed class SecretPrintingTests
{
    [Fact]
    public void RecordsCarryingPasswordsNeverPrintThem()
    {
        var smtp = new Actors.Contracts.Tenants.SmtpSettings { Host = "smtp.example.com", Password = "smtp-secret-1" };
        var tenant = new Actors.Contracts.Tenants.TenantInfo("t", "T", Actors.Contracts.Tenants.TenantStatus.Active,
            new Actors.Contracts.Tenants.TenantSettings { Smtp = smtp }, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, 1);
        var draft = new Actors.Contracts.Users.UserDraft("t", Actors.Contracts.Users.UserRole.Admin, "user-secret-2");
        var patch = new Actors.Contracts.Users.UserPatch { Password = "user-secret-3" };

        Assert.DoesNotContain("smtp-secret-1", tenant.ToString());
        Assert.Contains("smtp.example.com", tenant.ToString());
        Assert.DoesNotContain("user-secret-2", draft.ToString());
        Assert.DoesNotContain("user-secret-3", patch.ToString());
    }
}
