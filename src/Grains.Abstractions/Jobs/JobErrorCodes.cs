namespace Actors.Contracts.Jobs;

/// <summary>Stable codes for job failures (also problem-details types).</summary>
public static class JobErrorCodes
{
    public const string HandlerFailed = "handler_failed";
    public const string TimedOut = "timed_out";
    public const string Stuck = "stuck";
    public const string UnknownType = "unknown_type";
}
