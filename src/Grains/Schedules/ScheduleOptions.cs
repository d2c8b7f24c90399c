namespace Actors.Grains.Schedules;

/// <summary>Section <c>Schedules</c>.</summary>
public sealed class ScheduleOptions
{
    public const string Section = "Schedules";

    /// <summary>Reminder period: how often a schedule looks for due runs (Orleans' minimum is 1 minute).</summary>
    public TimeSpan TickPeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The first error of these settings, or null when they are usable.</summary>
    public string? Refusal() => TickPeriod < TimeSpan.FromMinutes(1) ? "Schedules:TickPeriod must be at least 1 minute (Orleans' shortest reminder)" : null;
}
