using Taifa.Domain.Ids;

namespace Taifa.Grains.Ledger;

/// <summary>
/// A message's acceptance day is the UTC day of its id's timestamp (ids are given at intake), so a day is a range of
/// message ids: the ledger partitions by it, and a look-up by id finds its day without reading anything.
/// </summary>
public static class LedgerDays
{
    private const int TimestampShift = 22;

    public static DateOnly DayOf(long messageId) => DateOnly.FromDateTime(MessageIdGenerator.GetTimestamp(messageId).UtcDateTime);

    public static DateOnly DayOf(DateTimeOffset time) => DateOnly.FromDateTime(time.UtcDateTime);

    /// <summary>The lowest message id of the day (inclusive); the next day's is the upper bound.</summary>
    public static long FirstId(DateOnly day) =>
        MessageIdGenerator.ToMilliseconds(new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero)) << TimestampShift;

    /// <summary>The lowest message id given at or after <paramref name="instant"/> (0 before the ids' epoch).</summary>
    public static long FirstIdAt(DateTimeOffset instant)
    {
        var milliseconds = MessageIdGenerator.ToMilliseconds(instant);
        return milliseconds <= 0 ? 0 : Math.Min(milliseconds, long.MaxValue >> TimestampShift) << TimestampShift;
    }

    /// <summary>The days to keep at <paramref name="now"/>: from this first one on (older ones are dropped).</summary>
    public static DateOnly FirstKept(DateTimeOffset now, int retentionDays) => DayOf(now).AddDays(-retentionDays);

    /// <summary>Kenya keeps UTC+3 all year (no daylight saving), so a Nairobi day is a fixed UTC range.</summary>
    public static readonly TimeSpan NairobiOffset = TimeSpan.FromHours(3);

    /// <summary>The Nairobi calendar day of an instant: how customers count their days (statements, the delivery chart).</summary>
    public static DateOnly NairobiDayOf(DateTimeOffset instant) => DateOnly.FromDateTime(instant.UtcDateTime + NairobiOffset);

    /// <summary>The instant a Nairobi day begins.</summary>
    public static DateTimeOffset NairobiStartOf(DateOnly day) => new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), NairobiOffset);

    /// <summary>Days made ready ahead of time, so a commit never waits for a partition to be created.</summary>
    public const int DaysAhead = 3;
}
