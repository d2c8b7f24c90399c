using Actors.Infrastructure;
using Actors.Silo;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace Actors.Tests.Foundation;

/// <summary><c>Orleans__CollectionAgeSeconds</c>: how long an idle activation stays in a silo's memory.</summary>
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
        var error = Assert.Throws<InvalidOperationException>(() => new ClusterSettings { CollectionAgeSeconds = seconds }.Validate());
        Assert.Contains("Orleans:CollectionAgeSeconds", error.Message);
    }
}
