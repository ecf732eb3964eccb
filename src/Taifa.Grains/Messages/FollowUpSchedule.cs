namespace Taifa.Grains.Messages;

/// <summary>
/// When a message's follow-up steps (refund, dlr_url, handing the SMPP receipt over) are tried again after a failure:
/// 1 s, 2 s, 4 s … 32 s, then every minute for the first hour (what a silo restart or a short outage needs), then
/// every <see cref="MaxDelay"/>. A dlr_url is tried for DlrRetention (24 h) after the message became final; a refund
/// until it is done.
/// </summary>
internal static class FollowUpSchedule
{
    public static readonly TimeSpan MaxDelay = TimeSpan.FromMinutes(15);

    private const int MinuteRetries = 60;

    /// <param name="failures">Failed attempts so far, at least 1.</param>
    public static TimeSpan DelayAfter(int failures) => failures switch
    {
        <= 6 => TimeSpan.FromSeconds(1 << Math.Max(0, failures - 1)),
        <= 6 + MinuteRetries => TimeSpan.FromMinutes(1),
        _ => MaxDelay,
    };
}
