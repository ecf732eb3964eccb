namespace Taifa.Grains.Messages;

/// <summary>
/// When a message's follow-up steps (refund, dlr_url, handing the SMPP receipt over) are tried again after a failure:
/// 1 s, 2 s, 4 s … doubling up to <see cref="MaxDelay"/>. A dlr_url is tried for DlrRetention (24 h) after the
/// message became final; a refund until it is done.
/// </summary>
internal static class FollowUpSchedule
{
    public static readonly TimeSpan MaxDelay = TimeSpan.FromMinutes(15);

    /// <param name="failures">Failed attempts so far, at least 1.</param>
    public static TimeSpan DelayAfter(int failures) =>
        TimeSpan.FromSeconds(Math.Min(MaxDelay.TotalSeconds, Math.Pow(2, Math.Clamp(failures - 1, 0, 30))));

}
