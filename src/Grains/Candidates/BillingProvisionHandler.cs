using Actors.Contracts.Candidates;
using Actors.Contracts;
using System.Net.Http.Json;
using System.Text.Json;
using Actors.Contracts.Jobs;
using Actors.Grains.Jobs;
using Actors.Contracts.Tenants;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Actors.Grains.Candidates;

/// <summary>
/// <c>billing.provision</c>: creates the provider of an approved candidate in its tenant's billing
/// service (<c>POST {billing_service_url}/provider</c>) with an idempotency key derived from the
/// candidate id, so retries never create it twice. HTTP retries with backoff and jitter and a circuit
/// breaker per billing host come from the named client's resilience pipeline; job attempts come on top.
/// The billing host must resolve to addresses <see cref="OutboundPolicy"/> allows (no SSRF into the
/// cluster's network): checked here before the call, and again by the client's connect callback.
/// </summary>
public sealed partial class BillingProvisionHandler(IHttpClientFactory http, IOptions<OutboundOptions> outbound, ILogger<BillingProvisionHandler> logger) : IJobHandler
{
    public const string ClientName = "billing";

    public string Type => JobTypes.BillingProvision;

    /// <summary>Submitted by approving a candidate, never directly: it would provision unapproved candidates.</summary>
    public bool ClientSubmittable => false;
    public TimeSpan Timeout => TimeSpan.FromMinutes(2);
    public int DefaultMaxAttempts => 5;

    public IReadOnlyDictionary<string, string[]> Validate(JsonElement parameters) =>
        parameters.TryGetProperty("candidate_id", out var id) && id.TryGetGuid(out _)
            ? new Dictionary<string, string[]>()
            : new Dictionary<string, string[]> { ["parameters.candidate_id"] = ["must be a candidate id"] };

    public async Task<object?> RunAsync(JobRun run, CancellationToken cancellationToken)
    {
        var candidateId = run.Parameters.GetProperty("candidate_id").GetGuid();
        var candidate = run.Grains.GetGrain<ICandidateGrain>(candidateId, run.TenantId);
        var info = await candidate.GetAsync() ?? throw new JobFailedException("candidate_missing", "The candidate does not exist.", retryable: false);
        if (info.Provisioning == ProvisioningStatus.Provisioned)
        {
            return new { provider_id = info.ProviderId, already = true };
        }
        if (info.Status != CandidateStatus.Approved)
        {
            // Only an approval submits this job; anything else asking to provision is refused.
            throw new JobFailedException("candidate_not_approved", "Only approved candidates are provisioned.", retryable: false);
        }
        var tenant = await run.Grains.GetGrain<ITenantGrain>(GrainKeys.Tenant(run.TenantId)).GetAsync();
        var baseUrl = tenant?.Settings.BillingServiceUrl;
        if (string.IsNullOrEmpty(baseUrl))
        {
            await candidate.SetProvisioningAsync(ProvisioningStatus.NotStarted, null, null);
            return new { skipped = "tenant has no billing_service_url" };
        }

        var url = baseUrl.TrimEnd('/') + "/provider";
        try
        {
            LogRequest(logger, run.TenantId, candidateId, url, run.Attempt);
            using var request = new HttpRequestMessage(HttpMethod.Post, url)
            {
                Content = JsonContent.Create(new { company_name = info.CompanyName, candidate_id = candidateId }),
            };
            request.Headers.Add("Idempotency-Key", "provision-" + candidateId);
            await OutboundPolicy.ResolveAsync(request.RequestUri!.IdnHost, outbound.Value, cancellationToken);
            using var response = await http.CreateClient(ClientName).SendAsync(request, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new JobFailedException("billing_http_" + (int)response.StatusCode,
                    $"Billing service answered {(int)response.StatusCode}.", retryable: (int)response.StatusCode >= 500 || (int)response.StatusCode == 429);
            }
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            var providerId = body.RootElement.TryGetProperty("provider_id", out var p) ? p.ToString()
                : body.RootElement.TryGetProperty("id", out var i) ? i.ToString()
                : throw new JobFailedException("billing_bad_response", "Billing service answered without provider_id.");
            await candidate.SetProvisioningAsync(ProvisioningStatus.Provisioned, providerId, null);
            return new { provider_id = providerId };
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var failure = ex as JobFailedException
                ?? (Refused(ex) is { } refused ? new JobFailedException("outbound_refused", refused.Message, retryable: false) : null)
                ?? new JobFailedException("billing_unreachable", ex.Message);
            LogError(logger, run.TenantId, candidateId, failure.Code, failure.Message, run.Attempt, run.MaxAttempts);
            if (run.IsLastAttempt || !failure.Retryable)
            {
                await candidate.SetProvisioningAsync(ProvisioningStatus.Failed, null, $"{failure.Code}: {failure.Message}");
            }
            throw failure;
        }
    }

    private static OutboundRefusedException? Refused(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is OutboundRefusedException refused) return refused;
        }
        return null;
    }

    [LoggerMessage(EventName = "billing_service_request", Level = LogLevel.Information,
        Message = "billing_service_request tenant {TenantId} candidate {CandidateId} POST {Url} attempt {Attempt}")]
    private static partial void LogRequest(ILogger logger, string tenantId, Guid candidateId, string url, int attempt);

    [LoggerMessage(EventName = "billing_service_error", Level = LogLevel.Warning,
        Message = "billing_service_error tenant {TenantId} candidate {CandidateId}: {ErrorCode} {Reason} (attempt {Attempt} of {MaxAttempts})")]
    private static partial void LogError(ILogger logger, string tenantId, Guid candidateId, string errorCode, string reason, int attempt, int maxAttempts);
}
