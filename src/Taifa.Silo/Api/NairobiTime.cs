using System.Globalization;

namespace Taifa.Silo.Api;

/// <summary>Dates in customer responses are Kenyan local time, "yyyy-MM-dd HH:mm:ss", as the API document shows.</summary>
public static class NairobiTime
{
    // Kenya keeps UTC+3 all year; the fixed offset stands in where the image has no time zone database.
    private static readonly TimeZoneInfo Zone = FindZone();

    public static string Format(DateTimeOffset instant) =>
        TimeZoneInfo.ConvertTime(instant, Zone).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

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
