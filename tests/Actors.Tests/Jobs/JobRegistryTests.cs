using System.Net;
using System.Text.Json;
using Actors.Grains.Jobs;
using Actors.Tests.Infrastructure;

namespace Actors.Tests.Jobs;

/// <summary>
/// A job type of the tests' own, known only as a class registered through the registry
/// (<c>AddJobHandler</c> in <see cref="ActorsCluster"/>): nothing else names it.
/// </summary>
public sealed class RegistryProbeHandler : IJobHandler
{
    public const string Name = "tests.registry-probe";

    public string Type => Name;
    public TimeSpan Timeout => TimeSpan.FromSeconds(10);
    public int DefaultMaxAttempts => 1;

    public IReadOnlyDictionary<string, string[]> Validate(JsonElement parameters) =>
        parameters.TryGetProperty("word", out var word) && word.ValueKind == JsonValueKind.String
            ? new Dictionary<string, string[]>()
            : new Dictionary<string, string[]> { ["parameters.word"] = ["is required"] };

    public Task<object?> RunAsync(JobRun run, CancellationToken cancellationToken) =>
        Task.FromResult<object?>(new { echo = run.Parameters.GetProperty("word").GetString() });
}

[Collection(ClusterCollection.Name)]
public sealed class JobRegistryTests(ClusterFixture fixture)
{
    [Fact]
    public async Task AHandlerRegisteredThroughTheRegistryIsSubmittableAndSchedulable()
    {
        var s = await Scenario.StartAsync(fixture.Http);
        var tenant = await s.CreateTenantAsync();
        var admin = await s.UserTokenAsync(tenant, "admin");

        var submitted = await fixture.Http.SendAsync(HttpMethod.Post, "/jobs", admin, new { type = RegistryProbeHandler.Name, parameters = new { word = "hello" } });
        Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
        var job = await fixture.Http.WaitForStatusAsync(admin, submitted.Headers.Location!.OriginalString, "completed", "failed");
        Assert.Equal("hello", job.GetProperty("result").GetProperty("echo").GetString());

        // Its own validation applies, and the error names every type clients may submit.
        var invalid = await fixture.Http.SendAsync(HttpMethod.Post, "/jobs", admin, new { type = RegistryProbeHandler.Name, parameters = new { } });
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Equal("is required", (await invalid.JsonAsync()).GetProperty("errors").GetProperty("parameters.word")[0].GetString());
        var unknown = await (await fixture.Http.SendAsync(HttpMethod.Post, "/jobs", admin, new { type = "no.such-type" })).JsonAsync();
        Assert.Equal("must be one of: candidates.import, diagnostics.sleep, email.send, " + RegistryProbeHandler.Name,
            unknown.GetProperty("errors").GetProperty("type")[0].GetString());

        var schedule = await fixture.Http.SendAsync(HttpMethod.Post, "/schedules", admin, new
        {
            name = "probe", cron = "0 3 * * *", job = new { type = RegistryProbeHandler.Name, parameters = new { word = "scheduled" } },
        });
        Assert.Equal(HttpStatusCode.Created, schedule.StatusCode);
        var id = (await schedule.JsonAsync()).GetProperty("id").GetString();
        var triggered = await fixture.Http.SendAsync(HttpMethod.Post, $"/schedules/{id}/trigger", admin);
        Assert.Equal(HttpStatusCode.Accepted, triggered.StatusCode);
        var run = await fixture.Http.WaitForStatusAsync(admin, triggered.Headers.Location!.OriginalString, "completed", "failed");
        Assert.Equal("scheduled", run.GetProperty("result").GetProperty("echo").GetString());
    }

    [Fact]
    public async Task TheReadmeListsEveryJobTypeTheSilosRunAndOnlyThoseClientsMaySubmitAreAccepted()
    {
        var types = await fixture.Grains.GetGrain<IJobTypesGrain>(0).ListAsync();
        var shipped = types.Where(t => !t.Type.StartsWith("tests.", StringComparison.Ordinal)).ToList();
        Assert.Equal(["billing.provision", "candidates.import", "diagnostics.sleep", "email.send"], shipped.Select(t => t.Type));
        Assert.Equal(["billing.provision"], shipped.Where(t => !t.ClientSubmittable).Select(t => t.Type));

        var readme = await File.ReadAllTextAsync(Path.Combine(Root(), "README.md"));
        var section = readme[readme.IndexOf("Job types:", StringComparison.Ordinal)..];
        section = section[..section.IndexOf("\n\n", StringComparison.Ordinal)];
        foreach (var type in shipped)
        {
            Assert.Contains($"`{type.Type}`", section, StringComparison.Ordinal);
        }
    }

    private static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Actors.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("Actors.sln not found above " + AppContext.BaseDirectory);
    }
}
