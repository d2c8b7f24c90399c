using System.Net.Http.Headers;
using System.Reflection;
using System.Text.Json;
using Actors.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NSwag.CodeGeneration.CSharp;
using NSwag.CodeGeneration.OperationNameGenerators;

namespace Actors.Tests.Integrators;

/// <summary>
/// The OpenAPI description used as is by a client generator: NSwag writes a C# client from
/// <c>/openapi/v1.json</c>, Roslyn compiles it, and the client creates and approves a candidate and
/// runs a job to completion over real HTTP. Nothing of the client is written by hand.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class GeneratedClientTests(ClusterFixture fixture)
{
    [Fact]
    public async Task AClientGeneratedFromTheDescriptionCreatesAndApprovesACandidateAndRunsAJob()
    {
        var client = await GenerateAsync();
        var s = await Scenario.StartAsync(fixture.Http);
        var tenant = await s.CreateTenantAsync();
        var token = await s.UserTokenAsync(tenant, "admin");
        using var http = new HttpClient { BaseAddress = fixture.Http.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var api = Activator.CreateInstance(client, http)!;

        var created = await CallAsync(api, "PostCandidatesAsync", tenant,
            """{"company_name":"Generated Co","contact_email":"ops@generated.example","products":["hosting"]}""");
        Assert.Equal("pending", created.GetProperty("status").GetString());
        var id = created.GetProperty("id").GetString()!;

        var approved = await CallAsync(api, "PostCandidatesIdApproveAsync", tenant, null, id);
        Assert.Equal("approved", approved.GetProperty("status").GetString());

        var job = await CallAsync(api, "PostJobsAsync", tenant, """{"type":"diagnostics.sleep","parameters":{"steps":1,"step_ms":1}}""");
        Assert.Equal("queued", job.GetProperty("status").GetString());
        var jobId = job.GetProperty("id").GetString()!;
        await Wait.UntilAsync(async () =>
                (await CallAsync(api, "GetJobsIdAsync", tenant, null, jobId)).GetProperty("status").GetString() == "completed",
            TimeSpan.FromSeconds(30), "the job completes, read through the generated client");
    }

    /// <summary>Generates the client from the served description and compiles it; answers its type.</summary>
    private async Task<Type> GenerateAsync()
    {
        var document = await NSwag.OpenApiDocument.FromJsonAsync(await fixture.Http.GetStringAsync("/openapi/v1.json"));
        var settings = new CSharpClientGeneratorSettings
        {
            ClassName = "ActorsClient",
            UseBaseUrl = false,
            InjectHttpClient = true,
            GenerateClientInterfaces = false,
            OperationNameGenerator = new SingleClientFromOperationIdOperationNameGenerator(),
        };
        settings.CSharpGeneratorSettings.Namespace = "Generated";
        settings.CSharpGeneratorSettings.JsonLibrary = NJsonSchema.CodeGeneration.CSharp.CSharpJsonLibrary.SystemTextJson;
        var code = new CSharpClientGenerator(document, settings).GenerateFile();

        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Select(path => MetadataReference.CreateFromFile(path));
        var compilation = CSharpCompilation.Create("Generated.ActorsClient", [CSharpSyntaxTree.ParseText(code)], references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        using var image = new MemoryStream();
        var emitted = compilation.Emit(image);
        Assert.True(emitted.Success, "the generated client does not compile:\n" +
            string.Join('\n', emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Take(20)));
        return Assembly.Load(image.ToArray()).GetType("Generated.ActorsClient")!;
    }

    /// <summary>
    /// Calls a generated operation: the body from JSON (its generated type), the path id, X-Tenant-Id,
    /// nothing else; answers its result as JSON.
    /// </summary>
    private static async Task<JsonElement> CallAsync(object api, string operation, string tenant, string? body, string? id = null)
    {
        var method = api.GetType().GetMethods().Single(m => m.Name == operation && m.GetParameters().All(p => p.ParameterType != typeof(CancellationToken)));
        var arguments = method.GetParameters().Select(p => p switch
        {
            _ when p.Name == "id" => (object?)id,
            _ when p.Name!.Contains("tenant", StringComparison.OrdinalIgnoreCase) => tenant,
            _ when p.Name.Contains("idempotency", StringComparison.OrdinalIgnoreCase) => null,
            _ when body is not null && p.ParameterType.Namespace == "Generated" => JsonSerializer.Deserialize(body, p.ParameterType),
            _ => throw new InvalidOperationException($"{operation}: no value for parameter {p.Name} ({p.ParameterType.Name})"),
        }).ToArray();
        var task = (Task)method.Invoke(api, arguments)!;
        await task;
        var result = task.GetType().GetProperty("Result")!.GetValue(task);
        return JsonSerializer.SerializeToElement(result, result!.GetType());
    }
}
