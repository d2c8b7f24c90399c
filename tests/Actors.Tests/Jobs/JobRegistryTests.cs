using System.Net;
using System.Text.Json;
using Actors.Contracts.Jobs;
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
        // The 400 for an unknown type names what the silos registered (this probe among them), nothing listed by hand.
        var types = await fixture.Grains.GetGrain<IJobTypesGrain>(0).ListAsync();
        Assert.Contains(new JobTypeInfo(RegistryProbeHandler.Name, true), types);
        var unknown = await (await fixture.Http.SendAsync(HttpMethod.Post, "/jobs", admin, new { type = "no.such-type" })).JsonAsync();
        Assert.Equal("must be one of: " + string.Join(", ", types.Where(t => t.ClientSubmittable).Select(t => t.Type)),
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
    public async Task TheSilosRunEveryHandlerClassTheReadmeListsExactlyThoseAndRefuseClientsTheSystemOnlyTypes()
    {
        // The shipped handlers are the IJobHandler classes of src/Grains: a new one needs no list changed.
        var classes = typeof(JobHandlerRegistry).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IJobHandler).IsAssignableFrom(t)).ToList();
        var types = await fixture.Grains.GetGrain<IJobTypesGrain>(0).ListAsync();
        var shipped = types.Where(t => !t.Type.StartsWith("tests.", StringComparison.Ordinal)).ToList();
        Assert.Equal(classes.Count, shipped.Count);
        Assert.Contains(shipped, t => !t.ClientSubmittable);

        // The README's list is the silos' list, both ways.
        var readme = await File.ReadAllTextAsync(Path.Combine(Root(), "README.md"));
        var section = readme[readme.IndexOf("Job types:", StringComparison.Ordinal)..];
        section = section[..section.IndexOf("\n\n", StringComparison.Ordinal)];
        var listed = System.Text.RegularExpressions.Regex.Matches(section, @"`([a-z]+\.[a-z_.-]+)`\s*\(")
            .Select(m => m.Groups[1].Value).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(shipped.Select(t => t.Type), listed);

        // A type only the system submits is refused to a client as an unknown one.
        var s = await Scenario.StartAsync(fixture.Http);
        var admin = await s.UserTokenAsync(await s.CreateTenantAsync(), "admin");
        foreach (var type in shipped.Where(t => !t.ClientSubmittable))
        {
            var refused = await fixture.Http.SendAsync(HttpMethod.Post, "/jobs", admin, new { type = type.Type, parameters = new { } });
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.StartsWith("must be one of: ", (await refused.JsonAsync()).GetProperty("errors").GetProperty("type")[0].GetString());
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
