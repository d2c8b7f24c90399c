using Cronos;

namespace Actors.Contracts.Schedules;

/// <summary>
/// A schedule's cron expression and time zone: how the API checks them and how the grain reads them,
/// one parser for both (five fields, Cronos' standard format; an IANA zone).
/// </summary>
public static class ScheduleRules
{
    public const int MaxCronLength = 120;
    public const int MaxTimeZoneLength = 64;

    /// <summary>The expression and zone of a stored schedule (both were checked when it was written).</summary>
    public static (CronExpression Cron, TimeZoneInfo Zone) Parse(string cron, string timeZone) =>
        (CronExpression.Parse(cron, CronFormat.Standard), TimeZoneInfo.FindSystemTimeZoneById(timeZone));

    /// <summary>Why <paramref name="cron"/> cannot be a schedule's expression, or null when it can.</summary>
    public static string? CronRefusal(string? cron)
    {
        if (string.IsNullOrWhiteSpace(cron) || cron.Length > MaxCronLength)
        {
            return "is required (five fields: minute hour day-of-month month day-of-week)";
        }
        try
        {
            CronExpression.Parse(cron, CronFormat.Standard);
            return null;
        }
        catch (CronFormatException)
        {
            return "is not a valid five-field cron expression";
        }
    }

    /// <summary>Whether <paramref name="zone"/> names a time zone this machine knows.</summary>
    public static bool IsTimeZone(string zone) => zone.Length <= MaxTimeZoneLength && TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _);
}
