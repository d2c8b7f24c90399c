namespace Actors.Grains.Jobs;

/// <summary>A job failure with a stable code; <see cref="Retryable"/> false ends the job at once.</summary>
public sealed class JobFailedException(string code, string message, bool retryable = true) : Exception(message)
{
    public string Code { get; } = code;
    public bool Retryable { get; } = retryable;
}
