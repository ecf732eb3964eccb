using Taifa.Abstractions;
using Taifa.Abstractions.Accounts;
using Taifa.Silo.Hosting;
using Taifa.Silo.Intake;
using Taifa.Smpp.Pdus;
using Taifa.Smpp.Session;

namespace Taifa.Silo.Smpp;

/// <summary>
/// The submit_sm of one server session: read, admitted (window and rate), sent to the account grain without holding up
/// the reading, and answered when the message completes. Each is counted in flight until its answer is queued, so an
/// unbinding or closing session can wait for the answers of what it took, on a completion.
/// </summary>
internal sealed partial class SmppSubmits(SmppSessionHost host, SmppChannel channel, Guid sessionId, ILogger logger)
{
    private readonly SmppSessionHost _host = host;
    private readonly SmppChannel _channel = channel;
    private readonly Guid _sessionId = sessionId;
    private readonly ILogger _logger = logger;
    private readonly InFlightCounter _inFlight = new();

    // Taking a submit and closing exclude each other: none is taken between "all answered" and closing.
    private readonly Lock _taking = new();
    private SubmitAdmission? _admission;
    private long? _accountId;

    /// <summary>The session is bound to <paramref name="accountId"/>: its submits are admitted against that account.</summary>
    public void Bound(long accountId)
    {
        _accountId = accountId;
        _admission = new SubmitAdmission(_host.Options.Window, _host.RateLimiter, accountId, _host.Time);
    }

    /// <summary>Ends the session after what is queued has been written; no submit is taken from now on.</summary>
    public void Close()
    {
        lock (_taking) _channel.Close();
    }

    /// <summary>Takes one submit_sm of the bound session; its answer is queued on the channel when it completes.</summary>
    public void Take(SubmitSm submit)
    {
        var read = _host.Intake.Read(submit);
        if (read.Command is null)
        {
            LogSubmitInvalid(_sessionId, _accountId, submit.SequenceNumber, read.Rejection, read.Problem);
            _channel.Send(submit.CreateResponse(read.Rejection));
            return;
        }

        if (_host.NullResponder is { } nullResponder)
        {
            _channel.Send(nullResponder.Answer(submit));
            return;
        }

        if (!_admission!.TryAdmit(read.Segment, read.Parts, _inFlight.Count))
        {
            LogThrottled(_sessionId, _accountId, submit.SequenceNumber);
            _channel.Send(submit.CreateResponse(CommandStatus.Throttled));
            return;
        }

        if (!TryTakeSubmit())
        {
            // Closing: its answer could no longer be written, so it is not charged either; the client sends it again.
            LogSubmitRefusedClosing(_sessionId, _accountId, submit.SequenceNumber);
            return;
        }

        _ = CompleteSubmit(submit, read.Command, _accountId!.Value);
    }

    private async Task CompleteSubmit(SubmitSm submit, SendCommand command, long accountId)
    {
        SubmitSmResp? response;
        try
        {
            var result = await _host.Sends.SendAsync(accountId, command);
            var (status, messageId, reason) = SubmitSmIntake.Map(result);
            response = (SubmitSmResp)submit.CreateResponse(status);
            if (messageId is not null) response.MessageId = messageId;
            else LogSubmitRejected(_sessionId, accountId, submit.SequenceNumber, status, reason.Code(), reason.Description());
        }
        catch (SendOutcomeUnknownException)
        {
            // It may have been charged: no submit_sm_resp rather than a false refusal; the client's response timer decides.
            response = null;
        }
        catch (Exception exception)
        {
            LogSubmitError(Failures.Level(exception), Failures.StackWorthy(exception), _sessionId, accountId, submit.SequenceNumber, Failures.Reason(exception));
            response = (SubmitSmResp)submit.CreateResponse(CommandStatus.SystemError);
        }

        // Counted in flight until its answer is queued, so a closing session waits for it (see CloseWhenAnswered).
        try
        {
            if (response is not null) _channel.Send(response);
        }
        finally
        {
            _inFlight.Exit();
        }
    }

    /// <returns>False when submits were still in flight after <paramref name="timeout"/>.</returns>
    public async Task<bool> WhenAnswered(TimeSpan timeout)
    {
        try
        {
            await _inFlight.WhenIdle().WaitAsync(timeout, _host.Time);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>
    /// Closes once every submit already taken has its answer queued (at most <paramref name="drainTimeout"/>): a message that
    /// was charged is never left without its submit_sm_resp, or the client would send it again.
    /// </summary>
    public async Task CloseWhenAnswered(TimeSpan drainTimeout)
    {
        var waited = _host.Time.GetTimestamp();
        while (true)
        {
            var left = drainTimeout - _host.Time.GetElapsedTime(waited);

            // Decided under the lock that takes submits: none can be taken between "all answered" and closing.
            lock (_taking)
            {
                if (_inFlight.Count == 0 || left <= TimeSpan.Zero)
                {
                    _channel.Close();
                    return;
                }
            }

            await WhenAnswered(left);
        }
    }

    /// <summary>Counts a submit in flight unless the session is closing (then it must not be charged).</summary>
    private bool TryTakeSubmit()
    {
        lock (_taking)
        {
            if (_channel.IsClosing) return false;
            _inFlight.Enter();
            return true;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "SMPP session {SessionId} (account {AccountId}): submit_sm {SequenceNumber} arrived while closing; not taken, not charged")]
    private partial void LogSubmitRefusedClosing(Guid sessionId, long? accountId, uint sequenceNumber);

    [LoggerMessage(Level = LogLevel.Information, Message = "SMPP session {SessionId} account {AccountId}: submit_sm seq {SequenceNumber} refused with {CommandStatus}: {Problem}")]
    private partial void LogSubmitInvalid(Guid sessionId, long? accountId, uint sequenceNumber, CommandStatus commandStatus, string? problem);

    [LoggerMessage(Level = LogLevel.Information, Message = "SMPP session {SessionId} account {AccountId}: submit_sm seq {SequenceNumber} rejected with {CommandStatus}, VAS reason {VasCode} {VasReason}")]
    private partial void LogSubmitRejected(Guid sessionId, long accountId, uint sequenceNumber, CommandStatus commandStatus, string vasCode, string vasReason);

    [LoggerMessage(Message = "SMPP session {SessionId} account {AccountId}: submit_sm seq {SequenceNumber} failed ({Reason})")]
    private partial void LogSubmitError(LogLevel level, Exception? exception, Guid sessionId, long accountId, uint sequenceNumber, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "SMPP session {SessionId} account {AccountId}: submit_sm seq {SequenceNumber} throttled")]
    private partial void LogThrottled(Guid sessionId, long? accountId, uint sequenceNumber);
}
