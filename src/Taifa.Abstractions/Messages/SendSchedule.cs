namespace Taifa.Abstractions.Messages;

/// <summary>
/// Which send times a customer may ask for (REST send_at, SMPP schedule_delivery_time): up to 90 days ahead. A time
/// less than a minute in the past is the caller's clock running behind ours, and is sent at once; an earlier one is refused.
/// </summary>
public static class SendSchedule
{
    public static readonly TimeSpan MaxAhead = TimeSpan.FromDays(90);
    public static readonly TimeSpan ClockTolerance = TimeSpan.FromMinutes(1);

    /// <summary>False for a time outside the window; otherwise the time to hold the message until, or null for at once.</summary>
    public static bool TryResolve(DateTimeOffset? requested, DateTimeOffset now, out DateTimeOffset? sendAt)
    {
        sendAt = null;
        if (requested is not { } at) return true;
        if (at < now - ClockTolerance || at > now + MaxAhead) return false;
        if (at > now) sendAt = at;
        return true;
    }
}
