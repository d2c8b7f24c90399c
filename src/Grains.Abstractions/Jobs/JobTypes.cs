namespace Actors.Contracts.Jobs;

/// <summary>
/// Names of the job types that code submits by name. The list of types is not here: it is the handlers
/// the silos register (<see cref="IJobTypesGrain"/>).
/// </summary>
public static class JobTypes
{
    public const string DiagnosticsSleep = "diagnostics.sleep";
    public const string CandidatesImport = "candidates.import";
    public const string BillingProvision = "billing.provision";
    public const string EmailSend = "email.send";
}
