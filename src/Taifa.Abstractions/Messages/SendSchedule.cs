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

/// <summary>
/// How long a message may wait for an operator (REST validity_period in minutes, SMPP validity_period): at most
/// seven days, counted from when it is due (its send time, or now).
/// </summary>
public static class MessageValidity
{
    public const int MaxMinutes = 7 * 24 * 60;
    public static readonly TimeSpan Max = TimeSpan.FromMinutes(MaxMinutes);

    /// <summary>A REST validity_period: 1 to <see cref="MaxMinutes"/> minutes after <paramref name="due"/>.</summary>
    public static bool TryResolveMinutes(int? minutes, DateTimeOffset due, out DateTimeOffset? expiresAt)
    {
        expiresAt = null;
        if (minutes is not { } value) return true;
        if (value is < 1 or > MaxMinutes) return false;
        expiresAt = due.AddMinutes(value);
        return true;
    }

    /// <summary>An SMPP validity_period already read as a time: it must be after <paramref name="due"/>; one further
    /// than <see cref="Max"/> is shortened to it, as SMSCs do.</summary>
    public static bool TryResolve(DateTimeOffset? requested, DateTimeOffset due, out DateTimeOffset? expiresAt)
    {
        expiresAt = null;
        if (requested is not { } at) return true;
        if (at <= due) return false;
        expiresAt = at - due > Max ? due + Max : at;
        return true;
    }
}
