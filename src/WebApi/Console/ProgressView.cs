namespace Actors.WebApi.ReviewConsole;

/// <summary>A job's progress bar: processed of total (a bar only when the total is known).</summary>
public sealed record ProgressView(Guid Id, long Processed, long? Total, string Status);
