using System.Globalization;

namespace Taifa.Smpp.Pdus;

/// <summary>
/// The time format of SMPP v3.4 §7.1.1 (schedule_delivery_time, validity_period, final_date): 16 characters,
/// absolute "YYMMDDhhmmsstnnp" (t tenths of a second, nn quarter hours from UTC, p '+' or '-') or relative
/// "YYMMDDhhmmss000R" (an interval from now). Empty means none.
/// </summary>
public static class SmppTime
{
    public const int Length = 16;

    /// <summary>An absolute time in UTC ("…000+"), to the tenth of a second.</summary>
    public static string Format(DateTimeOffset at)
    {
        var utc = at.UtcDateTime;
        return string.Create(CultureInfo.InvariantCulture, $"{utc:yyMMddHHmmss}{utc.Millisecond / 100}00+");
    }

    /// <summary>Reads either form; relative times count from <paramref name="now"/>. False for anything malformed.</summary>
    public static bool TryParse(string text, DateTimeOffset now, out DateTimeOffset? at)
    {
        at = null;
        if (text.Length == 0) return true;
        if (text.Length != Length || text.AsSpan(0, 15).ContainsAnyExceptInRange('0', '9')) return false;

        int Field(int start, int length) => int.Parse(text.AsSpan(start, length), NumberStyles.None, CultureInfo.InvariantCulture);
        var (years, months, days, hours, minutes, seconds) = (Field(0, 2), Field(2, 2), Field(4, 2), Field(6, 2), Field(8, 2), Field(10, 2));
        var tenths = Field(12, 1);
        var quarters = Field(13, 2);
        switch (text[15])
        {
            case 'R':
                if (tenths != 0 || quarters != 0) return false;
                at = now.AddYears(years).AddMonths(months).AddDays(days).AddHours(hours).AddMinutes(minutes).AddSeconds(seconds);
                return true;
            case '+' or '-':
                if (months is < 1 or > 12 || days < 1 || days > DateTime.DaysInMonth(2000 + years, months) || hours > 23 || minutes > 59 ||
                    seconds > 59 || quarters > 48)
                {
                    return false;
                }

                var offset = TimeSpan.FromMinutes(15 * quarters * (text[15] == '-' ? -1 : 1));
                at = new DateTimeOffset(2000 + years, months, days, hours, minutes, seconds, tenths * 100, offset);
                return true;
            default:
                return false;
        }
    }
}
