namespace Actors.Contracts.Candidates;

/// <summary>
/// Section <c>Imports</c>: bulk CSV imports (<c>POST /candidates/imports</c>). The API reads the
/// limits of a file; the silos read the batch settings of the job that imports it.
/// </summary>
public sealed class ImportOptions
{
    public const string Section = "Imports";

    /// <summary>The largest file accepted, in bytes (100 MB).</summary>
    public long MaxBytes { get; set; } = 100L * 1024 * 1024;

    /// <summary>The most records a file may hold, the header excluded.</summary>
    public int MaxRows { get; set; } = 1_000_000;

    /// <summary>Records moved into candidates per statement (and per checkpoint).</summary>
    public int BatchRows { get; set; } = 5_000;

    /// <summary>A pause after each batch, to leave the database to other traffic while a large file imports.</summary>
    public TimeSpan PauseBetweenBatches { get; set; } = TimeSpan.Zero;

    /// <summary>The first error of these settings, or null when they are usable.</summary>
    public string? Refusal() =>
        MaxBytes < 1024 ? "Imports:MaxBytes must be at least 1024"
        : MaxRows < 1 ? "Imports:MaxRows must be at least 1"
        : BatchRows is < 1 or > 50_000 ? "Imports:BatchRows must be 1 to 50000"
        : PauseBetweenBatches < TimeSpan.Zero || PauseBetweenBatches > TimeSpan.FromMinutes(1) ? "Imports:PauseBetweenBatches must be 0 to 1 minute"
        : null;
}
