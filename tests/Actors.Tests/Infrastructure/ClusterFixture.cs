using Orleans.TestingHost;

namespace Actors.Tests.Infrastructure;

/// <summary>One database, one two-silo cluster and one API per test collection.</summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public TestDatabase Database { get; private set; } = null!;
    public TestCluster Cluster { get; private set; } = null!;
    public ApiHost Api { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.Client;

    public async Task InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync();
        Cluster = await ActorsCluster.StartAsync(Database);
        Api = new ApiHost(Database.ConnectionString, Cluster.Options.ClusterId);
        Http = Api.StartHttp();
        await Wait.UntilAsync(async () => (await Http.GetAsync("/readyz")).IsSuccessStatusCode, TimeSpan.FromSeconds(60), "API ready");
    }

    public async Task DisposeAsync()
    {
        Http?.Dispose();
        if (Api is not null) await Api.DisposeAsync();
        if (Cluster is not null) await Cluster.DisposeAsync();
        if (Database is not null) await Database.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}

public static class Wait
{
    /// <summary>Polls a condition until it holds or the deadline passes (then fails with <paramref name="what"/>).</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        Exception? last = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (await condition()) return;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or InvalidOperationException)
            {
                last = ex;
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"Timed out after {timeout.TotalSeconds} s waiting for: {what}", last);
    }
}
