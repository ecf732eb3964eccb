using System.Globalization;

namespace Taifa.Silo.Api;

/// <summary>Dates in customer responses are Kenyan local time, "yyyy-MM-dd HH:mm:ss", as the API document shows.</summary>
public static class NairobiTime
{
    // Kenya keeps UTC+3 all year; the fixed offset stands in where the image has no time zone database.
    private static readonly TimeZoneInfo Zone = FindZone();

    public static string Format(DateTimeOffset instant) =>
        TimeZoneInfo.ConvertTime(instant, Zone).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    /// <summary>Reads a time in the same form, as Nairobi local time; anything else (or an impossible date) is refused.</summary>
    public static bool TryParse(string? text, out DateTimeOffset instant)
    {
        instant = default;
        if (!DateTime.TryParseExact(text, "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.None, out var local)) return false;
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
