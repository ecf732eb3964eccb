using Microsoft.Extensions.Logging;
using Taifa.Abstractions.Accounts;
using Taifa.Domain.Money;
using Taifa.Grains.Messages;

namespace Taifa.Grains.Accounts;

/// <summary>
/// The low-balance alert: fired once when the balance falls below the threshold, re-armed once it is above it again.
/// Whether it fired and the POST still owed are account state, written before the POST is made, so a restart neither
/// sends it again nor loses it; the POST is retried on the schedule of dlr_url callbacks, for as long.
/// </summary>
public sealed partial class AccountGrain
{
    private IGrainTimer? _lowBalanceTimer;
    private bool _postingLowBalance;
    private int _lowBalanceFailures;

    public async Task<AdminResult> SetLowBalanceAlert(LowBalanceAlert? alert)
    {
        if (!_live.IsOpen) return new AdminResult(AdminOutcome.NotFound);
        _live.LowBalanceAlert = alert is null ? null : alert with { Threshold = Money.Round(alert.Threshold) };
        _live.LowBalanceFired = false;
        if (alert is null) _live.PendingLowBalance = null;
        CheckLowBalance();
        await CommitState();
        return new AdminResult(AdminOutcome.Ok, _live.ToView(AccountId));
    }

    /// <summary>Fires or re-arms the alert for the live balance; true when that changed the state (to be written).</summary>
    private bool CheckLowBalance()
    {
        if (_live.LowBalanceAlert is not { } alert) return false;
        if (!_live.LowBalanceFired && _live.Balance < alert.Threshold)
        {
            _live.LowBalanceFired = true;
            _live.PendingLowBalance = new LowBalanceNotice(alert.Url, _live.Balance, alert.Threshold, _time.GetUtcNow());
            return true;
        }

        if (_live.LowBalanceFired && _live.Balance > alert.Threshold)
        {
            _live.LowBalanceFired = false;
            return true;
        }

        return false;
    }

    /// <summary>After a state write: the owed POST, if any, is now durable and may go.</summary>
    private void PostLowBalanceSoon()
    {
        if (_storage.State.PendingLowBalance is not null && _lowBalanceTimer is null && !_deactivating) ScheduleLowBalancePost(TimeSpan.Zero);
    }

    private void ScheduleLowBalancePost(TimeSpan delay)
    {
        _lowBalanceTimer?.Dispose();
        _lowBalanceTimer = this.RegisterGrainTimer(PostLowBalance, new GrainTimerCreationOptions(delay, Timeout.InfiniteTimeSpan) { Interleave = true });
    }

    /// <summary>Interleaved, so a slow customer server holds up no send; only this changes the owed POST, one at a time.</summary>
    private async Task PostLowBalance(CancellationToken cancellationToken)
    {
        if (_postingLowBalance || _commit.Failed || _storage.State.PendingLowBalance is not { } notice) return;
        _postingLowBalance = true;
        try
        {
            bool delivered;
            try
            {
                delivered = await _notifier.PostLowBalanceAsync(notice, cancellationToken);
            }
            catch (Exception exception)
            {
                LogLowBalancePostFailed(AccountId, exception.GetType().Name, exception.Message.Split('\n', 2)[0].TrimEnd());
                delivered = false;
            }

            var givenUp = !delivered && _time.GetUtcNow() - notice.FiredAt >= _dispatch.DlrRetention;
            if (!delivered && !givenUp)
            {
                ScheduleLowBalancePost(FollowUpSchedule.DelayAfter(++_lowBalanceFailures));
                return;
            }

            if (givenUp) LogLowBalanceGivenUp(AccountId, _lowBalanceFailures + 1);
            _lowBalanceFailures = 0;
            _lowBalanceTimer?.Dispose();
            _lowBalanceTimer = null;

            // A newer alert may have fired meanwhile (the balance rose and fell again): that one is still owed.
            if (ReferenceEquals(_live.PendingLowBalance, notice)) _live.PendingLowBalance = null;
            await CommitState();
        }
        finally
        {
            _postingLowBalance = false;
        }

        PostLowBalanceSoon();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Account {AccountId}: low-balance alert POST failed ({Error}: {Reason}); retrying")]
    private partial void LogLowBalancePostFailed(long accountId, string error, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Account {AccountId}: low-balance alert given up after {Attempts} attempts")]
    private partial void LogLowBalanceGivenUp(long accountId, int attempts);
}
