using System.Globalization;

namespace Taifa.Silo.Api;

/// <summary>Dates in customer responses are Kenyan local time, "yyyy-MM-dd HH:mm:ss", as the API document shows.</summary>
public static class NairobiTime
{
    // Kenya keeps UTC+3 all year; the fixed offset stands in where the image has no time zone database.
    private static readonly TimeZoneInfo Zone = FindZone();
    private const string Pattern = "yyyy-MM-dd HH:mm:ss";

    public static string Format(DateTimeOffset instant) =>
        TimeZoneInfo.ConvertTime(instant, Zone).ToString(Pattern, CultureInfo.InvariantCulture);

    /// <summary>Reads a Nairobi local time in the same format; false for anything else.</summary>
    public static bool TryParse(string? text, out DateTimeOffset instant)
    {
        instant = default;
        if (!DateTime.TryParseExact(text, Pattern, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local)) return false;
        instant = new DateTimeOffset(local, Zone.GetUtcOffset(local));
        return true;
    }

    private static TimeZoneInfo FindZone()
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById("Africa/Nairobi");
        }
        catch (TimeZoneNotFoundException)
        {
            return TimeZoneInfo.CreateCustomTimeZone("EAT", TimeSpan.FromHours(3), "East Africa Time", "EAT");
        }
    }
}
