using Actors.WebApi.Schedules;
using System.Text.Json.Nodes;
using Actors.WebApi.Auth;
using Actors.WebApi.Candidates;
using Actors.WebApi.Jobs;
using Actors.WebApi.Tenants;
using Actors.WebApi.Users;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Actors.WebApi.Infrastructure;

/// <summary>
/// The request bodies as their validators read them: which fields are required (the records' fields
/// are all nullable, because the endpoints validate by hand and answer every field's problem at once),
/// and an example body that the endpoint accepts as it is.
/// </summary>
public sealed class RequestSchemas : IOpenApiSchemaTransformer
{
    private static readonly Dictionary<Type, (string[] Required, string Example)> Bodies = new()
    {
        [typeof(LoginRequest)] = (["email", "password"], """{"email":"reviewer@acme.example","password":"correct-horse-battery"}"""),
        [typeof(CreateCandidateRequest)] = (["company_name", "contact_email"],
            """{"company_name":"Acme Hosting Ltd","contact_email":"onboarding@acme.example","contact_phone":"+44 20 7946 0000","products":["hosting","email"]}"""),
        [typeof(UpdateCandidateRequest)] = ([], """{"contact_phone":"+44 20 7946 0001"}"""),
        [typeof(RejectRequest)] = (["reason"], """{"reason":"The company registration number does not match."}"""),
        [typeof(SubmitJobRequest)] = (["type"], """{"type":"diagnostics.sleep","parameters":{"steps":3,"step_ms":100},"max_attempts":3}"""),
        [typeof(BatchJobRequest)] = (["type"], """{"type":"diagnostics.sleep","parameters":{"steps":1},"idempotency_key":"nightly-1"}"""),
        [typeof(SubmitJobsBatchRequest)] = (["jobs"],
            """{"jobs":[{"type":"diagnostics.sleep","parameters":{"steps":1},"idempotency_key":"nightly-1"},{"type":"diagnostics.sleep","parameters":{"steps":2}}]}"""),
        [typeof(ScheduleJobBody)] = (["type"], """{"type":"diagnostics.sleep","parameters":{"steps":1}}"""),
        [typeof(ScheduleRequest)] = (["name", "cron", "job"],
            """{"name":"nightly smoke","cron":"0 3 * * *","time_zone":"Europe/London","job":{"type":"diagnostics.sleep","parameters":{"steps":1}},"missed_policy":"run_once"}"""),
        [typeof(CreateTenantRequest)] = (["id", "name"], """{"id":"acme","name":"Acme","settings":{"max_concurrent_jobs":4,"requests_per_second":100}}"""),
        [typeof(UpdateTenantRequest)] = ([], """{"settings":{"max_concurrent_jobs":8}}"""),
        [typeof(TenantSettingsBody)] = ([], """{"max_concurrent_jobs":4,"requests_per_second":100}"""),
        [typeof(CreateUserRequest)] = (["email", "password", "role"], """{"email":"reviewer@acme.example","password":"correct-horse-battery","role":"reviewer"}"""),
        [typeof(UpdateUserRequest)] = ([], """{"role":"admin"}"""),
    };

    /// <summary>The example body of a request type (for the tests that send each one).</summary>
    public static string? ExampleOf(Type type) => Bodies.TryGetValue(type, out var body) ? body.Example : null;

    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (Bodies.TryGetValue(context.JsonTypeInfo.Type, out var body))
        {
            schema.Required = new HashSet<string>(body.Required);
            schema.Examples = [JsonNode.Parse(body.Example)!];
        }
        return Task.CompletedTask;
    }
}
