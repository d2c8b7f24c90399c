using System.Text.Json;

namespace Actors.Grains.Jobs;

/// <summary>What a handler knows about the run it serves.</summary>
public sealed class JobRun(Guid jobId, string tenantId, int attempt, int maxAttempts, JsonElement parameters, IGrainFactory grains)
{
    private long _processed;
    private long _total = -1;

    public Guid JobId => jobId;
    public string TenantId => tenantId;
    public int Attempt => attempt;
    public int MaxAttempts => maxAttempts;
    public bool IsLastAttempt => attempt >= maxAttempts;
    public JsonElement Parameters => parameters;
    public IGrainFactory Grains => grains;

    public long Processed => Interlocked.Read(ref _processed);
    public long? Total => Interlocked.Read(ref _total) is var t && t >= 0 ? t : null;

    /// <summary>Progress is published with the next heartbeat.</summary>
    public void ReportProgress(long processed, long? total = null)
    {
        Interlocked.Exchange(ref _processed, processed);
        if (total is { } value)
        {
            Interlocked.Exchange(ref _total, value);
        }
    }
}
