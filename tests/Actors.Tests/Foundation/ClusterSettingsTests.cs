using Actors.Infrastructure;
using Actors.Infrastructure.Options;
using Actors.Silo;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace Actors.Tests.Foundation;

/// <summary>
/// <c>Orleans__CollectionAgeSeconds</c>: how long an idle activation stays in a silo's memory;
/// <c>Orleans__DirectoryCacheSize</c>: how many locations of grains on other silos it remembers;
/// <c>Orleans__ProbeTimeoutSeconds</c> and <c>Orleans__NumMissedProbesLimit</c>: how soon a silo that stopped
/// answering is declared dead.
/// </summary>
public sealed class ClusterSettingsTests
{
    [Fact]
    public void CollectionAgeReachesTheSilosGrainCollectionWithAQuantumBelowIt()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.UseOrleans(silo => silo.UseActorsCluster(new ClusterSettings { CollectionAgeSeconds = 30, SiloPort = 21111, GatewayPort = 31000 }));
        using var host = builder.Build();
        var options = host.Services.GetRequiredService<IOptions<GrainCollectionOptions>>().Value;
        Assert.Equal(TimeSpan.FromSeconds(30), options.CollectionAge);
        Assert.Equal(TimeSpan.FromSeconds(15), options.CollectionQuantum);
    }

    [Fact]
    public void DefaultCollectionAgeIsOrleansFifteenMinutes()
    {
        Assert.Equal(900, new ClusterSettings().CollectionAgeSeconds);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(100000)]
    public void CollectionAgeOutOfRangeIsRefusedAtStart(int seconds)
    {
        var error = Refused(new() { ["Orleans:CollectionAgeSeconds"] = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        Assert.Contains("Orleans:CollectionAgeSeconds", error.Message);
    }

    [Fact]
    public void DirectoryCacheSizeReachesTheSilosGrainDirectoryAndDefaultsBelowOrleansMillion()
    {
        Assert.Equal(100_000, new ClusterSettings().DirectoryCacheSize);
        var builder = Host.CreateApplicationBuilder();
        builder.UseOrleans(silo => silo.UseActorsCluster(new ClusterSettings { DirectoryCacheSize = 20_000, SiloPort = 21112, GatewayPort = 31001 }));
        using var host = builder.Build();
        Assert.Equal(20_000, host.Services.GetRequiredService<IOptions<GrainDirectoryOptions>>().Value.CacheSize);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1_000_001)]
    public void DirectoryCacheSizeOutOfRangeIsRefusedAtStart(int entries)
    {
        var error = Refused(new() { ["Orleans:DirectoryCacheSize"] = entries.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        Assert.Contains("Orleans:DirectoryCacheSize", error.Message);
    }

    [Fact]
    public void ProbeSettingsReachTheSilosMembershipOptions()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.UseOrleans(silo => silo.UseActorsCluster(new ClusterSettings { ProbeTimeoutSeconds = 2, NumMissedProbesLimit = 2, SiloPort = 21113, GatewayPort = 31002 }));
        using var host = builder.Build();
        var options = host.Services.GetRequiredService<IOptions<ClusterMembershipOptions>>().Value;
        Assert.Equal(TimeSpan.FromSeconds(2), options.ProbeTimeout);
        Assert.Equal(2, options.NumMissedProbesLimit);
    }

    [Fact]
    public void DefaultProbeSettingsAreOrleans()
    {
        var settings = new ClusterSettings();
        var orleans = new ClusterMembershipOptions();
        Assert.Equal(orleans.ProbeTimeout, TimeSpan.FromSeconds(settings.ProbeTimeoutSeconds));
        Assert.Equal(orleans.NumMissedProbesLimit, settings.NumMissedProbesLimit);
    }

    [Theory]
    [InlineData(0, 3, "Orleans:ProbeTimeoutSeconds")]
    [InlineData(61, 3, "Orleans:ProbeTimeoutSeconds")]
    [InlineData(5, 0, "Orleans:NumMissedProbesLimit")]
    [InlineData(5, 11, "Orleans:NumMissedProbesLimit")]
    public void ProbeSettingsOutOfRangeAreRefusedAtStart(int probeTimeoutSeconds, int missedProbes, string setting)
    {
        var error = Refused(new()
        {
            ["Orleans:ProbeTimeoutSeconds"] = probeTimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Orleans:NumMissedProbesLimit"] = missedProbes.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        Assert.Contains(setting, error.Message);
    }

    [Fact]
    public void EveryErrorIsNamedInOneRefusal()
    {
        var error = Refused(new() { ["Orleans:SiloPort"] = "0", ["Orleans:AdvertisedAddress"] = "silo-1" });
        Assert.Equal("Orleans:SiloPort must be 1-65535; Orleans:AdvertisedAddress must be an IP address", error.Message);
    }

    [Fact]
    public void ValidSettingsAreReadAsConfigured()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Orleans:GatewayPort"] = "30100" }).Build();
        Assert.Equal(30100, configuration.GetValidated<ClusterSettings>(ClusterSettings.Section, s => s.Refusal()).GatewayPort);
    }

    /// <summary>The section bound and refused as a host reads it before its container is built.</summary>
    private static OptionsValidationException Refused(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return Assert.Throws<OptionsValidationException>(() => configuration.GetValidated<ClusterSettings>(ClusterSettings.Section, s => s.Refusal()));
    }
}
