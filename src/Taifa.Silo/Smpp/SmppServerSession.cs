using System.Globalization;
using System.IO.Pipelines;
using System.Net;
using System.Threading.Channels;
using Microsoft.AspNetCore.Connections;
using Taifa.Abstractions;
using Taifa.Abstractions.Accounts;
using Taifa.Abstractions.Smpp;
using Taifa.Grains.Telemetry;
using Taifa.Silo.Hosting;
using Taifa.Silo.Intake;
using Taifa.Smpp.Codec;
using Taifa.Smpp.Pdus;
using Taifa.Smpp.Session;

namespace Taifa.Silo.Smpp;

/// <summary>
/// One customer's SMPP connection, server side. The read loop decodes PDUs in order and answers binds, enquire_link
/// and unbind inline; each admitted submit_sm goes to its account grain without blocking the loop, and its
/// submit_sm_resp is queued when that message completes, so many submits are outstanding at once. A single writer
/// task drains the outbound queue into the socket: a client that stops reading its answers is no longer read from, and
/// is closed if it goes on not reading.
/// </summary>
public sealed partial class SmppServerSession : IAsyncDisposable
{
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan UnbindRespTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan ReceiptRespTimeout = TimeSpan.FromSeconds(10);

    // Receipts in flight per session: the server's request window (64, _sent) less a slot for unbind.
    internal const int ReceiptWindow = 63;
    private static readonly TimeSpan WriteStallTimeout = TimeSpan.FromSeconds(5);
    private const string ServerSystemId = "TAIFA";
    private const string SmppChannel = "smpp";

    private readonly SmppSessionHost _host;
    private readonly ConnectionContext _connection;
    private readonly SmppFrameReader _frames;
    private readonly Channel<Pdu> _outbound;
    private readonly SequenceNumberAllocator _sequence = new();
    private readonly RequestWindow _sent;
    private readonly ITimer _idleTimer;
    private readonly ITimer _bindTimer;
    private readonly ILogger _logger;
    private readonly Lock _stateLock = new();
    private SessionState _state = SessionState.Open;
    private SubmitAdmission? _admission;
    // Kept after the bind slot is released, so the closing log line still names the account.
    private long? _boundAccountId;
    private long _lastActivity;
    private int _inFlight;
    private int _closing;

    internal SmppServerSession(SmppSessionHost host, ConnectionContext connection)
    {
        _host = host;
        _connection = connection;
        _logger = host.Loggers.CreateLogger<SmppServerSession>();
        _frames = new SmppFrameReader((uint)host.Options.MaxCommandLength);
        // Never full, so no answer is ever dropped (a lost submit_sm_resp of a charged message is resent and paid twice).
        // It is bounded all the same: the read loop stops reading at MaxQueuedOutbound (WaitForOutboundRoom), and what
        // is queued besides is the answers of submits in flight (at most Window, see SubmitAdmission) and our own
        // requests (at most the 64 the request window holds).
        // (Not SingleReader: that channel cannot count what it holds, which WaitForOutboundRoom needs.)
        _outbound = Channel.CreateUnbounded<Pdu>();
        _sent = new RequestWindow(64, host.Time);
        _lastActivity = host.Time.GetTimestamp();
        _idleTimer = host.Time.CreateTimer(static s => ((SmppServerSession)s!).CheckIdle(), this, host.Options.IdleTimeout, Timeout.InfiniteTimeSpan);
        _bindTimer = host.Time.CreateTimer(static s => ((SmppServerSession)s!).CheckBound(), this, host.Options.BindTimeout, Timeout.InfiniteTimeSpan);
    }

    public Guid Id { get; } = Guid.NewGuid();

    /// <summary>Set once a bind succeeds.</summary>
    internal long? AccountId => Binding?.AccountId;

    internal BoundSession? Binding { get; private set; }

    private string Remote => _connection.RemoteEndPoint?.ToString() ?? "?";

    private string SystemId { get; set; } = "";

    private SessionState State
    {
        get
        {
            lock (_stateLock) return _state;
        }
    }

    public async Task RunAsync()
    {
        LogConnected(Id, Remote);
        var writer = WriteLoop();
        try
        {
            await ReadLoop();
        }
        catch (Exception exception) when (exception is IOException or ConnectionResetException or ConnectionAbortedException or OperationCanceledException or InvalidOperationException)
        {
            LogConnectionLost(Id, Remote, exception.Message);
        }
        finally
        {
            lock (_stateLock) _state = SessionState.Closed;
            _outbound.Writer.TryComplete();
            await ReleaseBind();
            await writer.WaitAsync(DrainTimeout).ContinueWith(static _ => { }, TaskScheduler.Default);
            if (_boundAccountId is { } accountId) LogClosed(Id, Remote, accountId, SystemId);
            else LogClosedNeverBound(Id, Remote, SystemId.Length > 0 ? SystemId : "none");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _idleTimer.DisposeAsync();
        await _bindTimer.DisposeAsync();
        _sent.Dispose();
        _host.Closed(this);
    }

    /// <summary>Asks the client to unbind, then closes whatever it answers (the server side of §4.2).</summary>
    internal void RequestUnbind(string reason)
    {
        lock (_stateLock)
        {
            if (_state == SessionState.Closed || _state == SessionState.Unbinding) return;
            if (!_state.IsBound())
            {
                _state = SessionState.Closed;
                LogServerClose(Id, Remote, reason);
                Close();
                return;
            }

            _state = SessionState.Unbinding;
        }

        LogServerUnbind(Id, Remote, AccountId, reason);
        var unbind = new Unbind { SequenceNumber = _sequence.Next() };
        try
        {
            if (_sent.TryAdd(unbind, UnbindRespTimeout, out var response))
            {
                response.ContinueWith(static (_, s) => ((SmppServerSession)s!).CloseWhenAnswered(), this, TaskScheduler.Default);
                Send(unbind);
                return;
            }
        }
        catch (SmppSessionClosedException)
        {
        }

        Close();
    }

    /// <summary>
    /// Sends receipts as deliver_sm, as many as the receipt window has room for, and returns at once; each
    /// deliver_sm_resp (or its absence after <see cref="ReceiptRespTimeout"/>, the one timeout of a receipt) is reported
    /// to the account's outbox. A full window takes fewer: the rest waits in the outbox, and the session stays.
    /// </summary>
    internal ReceiptHandoff TakeReceipts(IReadOnlyList<SmppReceipt> receipts)
    {
        if (!State.CanReceive() || Binding is not { } binding) return new ReceiptHandoff(false, 0);
        var outbox = _host.Grains.GetGrain<ISmppReceiptOutboxGrain>(binding.AccountId);
        var taken = 0;
        try
        {
            foreach (var receipt in receipts)
            {
                if (_sent.Count >= ReceiptWindow) break;
                var deliver = ReceiptPdu.Create(receipt);
                deliver.SequenceNumber = _sequence.Next();
                if (!_sent.TryAdd(deliver, ReceiptRespTimeout, out var response)) break;
                if (!Send(deliver))
                {
                    _sent.TryFail(deliver.SequenceNumber, new SmppSessionClosedException());
                    return new ReceiptHandoff(false, taken);
                }

                _ = ReportWhenAnswered(outbox, receipt.MessageId, response);
                taken++;
            }
        }
        catch (SmppSessionClosedException)
        {
            return new ReceiptHandoff(false, taken);
        }

        return new ReceiptHandoff(true, taken);
    }

    private async Task ReportWhenAnswered(ISmppReceiptOutboxGrain outbox, long messageId, Task<SmppResponse> response)
    {
        bool delivered;
        try
        {
            delivered = (await response).CommandStatus == CommandStatus.Ok;
        }
        catch (Exception exception) when (exception is SmppSessionClosedException or TimeoutException or InvalidDataException)
        {
            delivered = false;
        }

        try
        {
            await outbox.Settled(messageId, delivered);
        }
        catch (Exception exception) when (exception is OrleansException or TimeoutException)
        {
            // The outbox offers the receipt again once it has waited too long for this report.
            LogReceiptReportFailed(Id, messageId, Failures.Reason(exception));
        }
    }

    private async Task ReadLoop()
    {
        var input = _connection.Transport.Input;
        while (true)
        {
            var result = await input.ReadAsync(_connection.ConnectionClosed);
            var buffer = result.Buffer;
            var stop = false;
            while (!stop && _frames.TryRead(ref buffer, out var pdu, out var error))
            {
                Touch();
                if (_outbound.Reader.Count >= _host.Options.MaxQueuedOutbound && !await WaitForOutboundRoom())
                {
                    LogOutboundFull(Id, Remote, AccountId, _host.Options.MaxQueuedOutbound);
                    _connection.Abort(new ConnectionAbortedException("The SMPP client stopped reading its responses."));
                    return;
                }

                stop = error is not null ? OnDecodeError(error) : await OnPdu(pdu!);
            }

            input.AdvanceTo(buffer.Start, buffer.End);
            if (stop || result.IsCompleted || result.IsCanceled || Volatile.Read(ref _closing) != 0) return;
        }
    }

    private async Task WriteLoop()
    {
        var output = _connection.Transport.Output;
        try
        {
            while (await _outbound.Reader.WaitToReadAsync())
            {
                while (_outbound.Reader.TryRead(out var pdu)) Write(pdu, output);
                var flush = await output.FlushAsync();
                if (flush.IsCompleted || flush.IsCanceled) break;
            }
        }
        catch (Exception exception) when (exception is IOException or ConnectionResetException or ConnectionAbortedException or OperationCanceledException or InvalidOperationException)
        {
            LogConnectionLost(Id, Remote, exception.Message);
        }
        finally
        {
            await output.CompleteAsync();
            // The client may still be sending: stop reading too, so the connection ends.
            _connection.Transport.Input.CancelPendingRead();
        }
    }

    private void Write(Pdu pdu, PipeWriter output)
    {
        try
        {
            SmppPduWriter.Write(pdu, output);
        }
        catch (ArgumentException exception)
        {
            LogUnwritable(exception, Id, pdu.CommandId, pdu.SequenceNumber);
        }
    }

    /// <returns>True to stop reading: the session is over.</returns>
    private bool OnDecodeError(SmppDecodeError error)
    {
        LogDecodeError(Id, Remote, error.ToString());
        if (error.IsFatal)
        {
            lock (_stateLock) _state = SessionState.Closed;
        }

        var reply = error.CreateReply();
        if (reply is not null) Send(reply);
        else _sent.TryFail(error.SequenceNumber, new InvalidDataException(error.Reason));
        return error.IsFatal;
    }

    /// <returns>True to stop reading: the session is over.</returns>
    private async ValueTask<bool> OnPdu(Pdu pdu)
    {
        if (pdu.IgnoredTrailingOctets > 0) LogIgnoredTrailingOctets(Id, Remote, pdu.CommandId, pdu.SequenceNumber, pdu.IgnoredTrailingOctets);
        if (pdu is SmppResponse response)
        {
            if (!_sent.TryComplete(response)) LogUnexpectedResponse(Id, response.CommandId, response.SequenceNumber);
            return false;
        }

        if (pdu is not SmppRequest request)
        {
            // outbind and alert_notification travel only from an SMSC.
            Send(new GenericNack(CommandStatus.InvalidCommandId, pdu.SequenceNumber));
            return false;
        }

        var state = State;
        if (state == SessionState.Closed) return true;
        if (!state.IsAllowed(request.CommandId, PduDirection.EsmeToSmsc))
        {
            Send(request.CreateResponse(CommandStatus.IncorrectBindStatus));
            return false;
        }

        switch (request)
        {
            case EnquireLink:
                Send(request.CreateResponse());
                return false;
            case BindRequest bind:
                return await OnBind(bind);
            case Unbind:
                await OnUnbind(request);
                return true;
            case SubmitSm submit:
                OnSubmit(submit);
                return false;
            default:
                // query_sm, cancel_sm, replace_sm, submit_multi and data_sm are not offered by this gateway.
                Send(request.CreateResponse(CommandStatus.InvalidCommandId));
                return false;
        }
    }

    /// <returns>True to stop reading: a bind refused by a lock-out closes the session once its answer is out.</returns>
    private async Task<bool> OnBind(BindRequest bind)
    {
        lock (_stateLock) _state = SessionState.Binding;
        SystemId = bind.SystemId;
        var bindType = bind switch
        {
            BindTransmitter => SmppBindType.Transmitter,
            BindReceiver => SmppBindType.Receiver,
            _ => SmppBindType.Transceiver,
        };

        var (status, close) = await Authenticate(bind, bindType);
        var response = (BindResponse)bind.CreateResponse(status);
        response.SystemId = ServerSystemId;
        if (status == CommandStatus.Ok) response.OptionalParameters.ScInterfaceVersion = InterfaceVersion.V34;

        lock (_stateLock)
        {
            if (_state == SessionState.Binding)
            {
                _state = close ? SessionState.Closed : status != CommandStatus.Ok ? SessionState.Open : bindType switch
                {
                    SmppBindType.Transmitter => SessionState.BoundTransmitter,
                    SmppBindType.Receiver => SessionState.BoundReceiver,
                    _ => SessionState.BoundTransceiver,
                };
            }
        }

        Send(response);
        if (status == CommandStatus.Ok)
        {
            _boundAccountId = AccountId;
            LogBound(Id, Remote, AccountId, bind.SystemId, bind.CommandId, bind.InterfaceVersion);
            if (bindType != SmppBindType.Transmitter && AccountId is { } accountId) _ = _host.Grains.GetGrain<ISmppReceiptOutboxGrain>(accountId).ReceiverBound();
        }

        return close;
    }

    /// <summary>
    /// Lock-outs first (the address on this silo, then the system_id cluster-wide), so a locked-out guesser never reaches a
    /// password check. Then password, a bind slot, and the password once more: a credential change or suspension that
    /// lands while the slot is being taken either fails the second check or finds the slot in the registry and unbinds it.
    /// Each grain call is repeated while its silo has vanished, so a silo's death delays a bind instead of refusing it.
    /// </summary>
    private async Task<(CommandStatus Status, bool Close)> Authenticate(BindRequest bind, SmppBindType bindType)
    {
        var source = (_connection.RemoteEndPoint as IPEndPoint)?.Address;
        if (_host.Lockouts.IsLockedOut(source))
        {
            LogBindRefused(Id, Remote, bind.SystemId, "address locked out after repeated failed logins");
            return (CommandStatus.BindFailed, true);
        }

        try
        {
            var lockout = _host.Grains.SmppSystemIdLockout(bind.SystemId);
            if (await _host.SystemIdLockedOut(lockout, bind.SystemId))
            {
                LogBindRefused(Id, Remote, bind.SystemId, "system_id locked out after repeated failed binds");
                return (CommandStatus.BindFailed, true);
            }

            var owner = await _host.Vanished.Call(() => _host.Grains.SmppUsername(bind.SystemId).Owner());
            if (owner is not { } accountId)
            {
                LogBindRefused(Id, Remote, bind.SystemId, "unknown system_id");
                return await BindGuessFailed(bind.SystemId, lockout, source);
            }

            var account = _host.Grains.GetGrain<IAccountGrain>(accountId);
            var check = await _host.Vanished.Call(() => account.CheckSmppPassword(bind.SystemId, bind.Password, source));
            if (check != TaifaStatus.Success)
            {
                LogBindRefused(Id, Remote, bind.SystemId, check.Description());
                return check switch
                {
                    TaifaStatus.InvalidSmppCredentials => await BindGuessFailed(bind.SystemId, lockout, source),

                    // No password was tried, so only the address is charged: nobody outside the list can lock the account's own binds out.
                    TaifaStatus.AddressNotAllowed => (CommandStatus.BindFailed, _host.Lockouts.Failed(source, SmppChannel)),
                    _ => (CommandStatus.BindFailed, false),
                };
            }

            var binding = new SmppBinding(Id, bindType, _host.Silo, _host.Reference);
            var registry = _host.Grains.GetGrain<ISmppBindRegistryGrain>(accountId);
            if (!await _host.Vanished.Call(() => registry.TryBind(binding, _host.Options.MaxBindsPerAccount)))
            {
                LogBindRefused(Id, Remote, bind.SystemId, $"account already holds {_host.Options.MaxBindsPerAccount} binds");
                return (CommandStatus.BindFailed, false);
            }

            Binding = new BoundSession(accountId, binding);
            _admission = new SubmitAdmission(_host.Options.Window, _host.RateLimiter, accountId, _host.Time);
            check = await _host.Vanished.Call(() => account.CheckSmppPassword(bind.SystemId, bind.Password, source));
            if (check == TaifaStatus.Success) return (CommandStatus.Ok, false);

            await ReleaseBind();
            LogBindRefused(Id, Remote, bind.SystemId, check.Description());
            return (CommandStatus.BindFailed, false);
        }
        catch (Exception exception) when (exception is OrleansException or TimeoutException)
        {
            LogBindError(Id, bind.SystemId, Failures.Reason(exception));
            await ReleaseBind();
            return (CommandStatus.SystemError, false);
        }
    }

    /// <summary>A wrong password or unknown system_id: counted against the address and the system_id; either may lock out.</summary>
    private async Task<(CommandStatus Status, bool Close)> BindGuessFailed(string systemId, ILoginLockoutGrain lockout, IPAddress? source)
    {
        var addressLockedOut = _host.Lockouts.Failed(source, SmppChannel);
        var systemIdLockedOut = await _host.SystemIdFailed(lockout, systemId);
        if (systemIdLockedOut)
        {
            TaifaMetrics.LockedOut("system_id", SmppChannel);
            LogSystemIdLockedOut(systemId, _host.SystemIdLimit.MaxFailures, _host.SystemIdLimit.Window, _host.SystemIdLimit.Lockout, Remote);
        }

        return (CommandStatus.BindFailed, addressLockedOut || systemIdLockedOut);
    }

    private async Task OnUnbind(SmppRequest unbind)
    {
        lock (_stateLock) _state = SessionState.Unbinding;

        // Let the client see the answers to the submits it already sent before it sees unbind_resp.
        var waited = _host.Time.GetTimestamp();
        while (Volatile.Read(ref _inFlight) > 0 && _host.Time.GetElapsedTime(waited) < DrainTimeout)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(10), _host.Time);
        }

        Send(unbind.CreateResponse());
        LogClientUnbind(Id, Remote, AccountId);
    }

    private void OnSubmit(SubmitSm submit)
    {
        var read = _host.Intake.Read(submit);
        if (read.Command is null)
        {
            LogSubmitInvalid(Id, AccountId, submit.SequenceNumber, read.Rejection, read.Problem);
            Send(submit.CreateResponse(read.Rejection));
            return;
        }

        if (_host.NullResponder is { } nullResponder)
        {
            Send(nullResponder.Answer(submit));
            return;
        }

        if (!_admission!.TryAdmit(read.Segment, read.Parts, Volatile.Read(ref _inFlight)))
        {
            LogThrottled(Id, AccountId, submit.SequenceNumber);
            Send(submit.CreateResponse(CommandStatus.Throttled));
            return;
        }

        if (!TryTakeSubmit())
        {
            // Closing: its answer could no longer be written, so it is not charged either; the client sends it again.
            LogSubmitRefusedClosing(Id, AccountId, submit.SequenceNumber);
            return;
        }

        _ = CompleteSubmit(submit, read.Command, Binding!.AccountId);
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
            else LogSubmitRejected(Id, accountId, submit.SequenceNumber, status, reason.Code(), reason.Description());
        }
        catch (SendOutcomeUnknownException)
        {
            // It may have been charged: no submit_sm_resp rather than a false refusal; the client's response timer decides.
            response = null;
        }
        catch (Exception exception)
        {
            LogSubmitError(Failures.Level(exception), Failures.StackWorthy(exception), Id, accountId, submit.SequenceNumber, Failures.Reason(exception));
            response = (SubmitSmResp)submit.CreateResponse(CommandStatus.SystemError);
        }

        // Counted in flight until its answer is queued, so a closing session waits for it (see CloseWhenAnswered).
        try
        {
            if (response is not null) Send(response);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    /// <summary>
    /// Backpressure on the reader: with <see cref="SmppListenerOptions.MaxQueuedOutbound"/> answers unwritten, read no
    /// more requests until the client takes some; a client that takes none for a while is not reading at all.
    /// </summary>
    private async Task<bool> WaitForOutboundRoom()
    {
        var started = _host.Time.GetTimestamp();
        while (_outbound.Reader.Count >= _host.Options.MaxQueuedOutbound)
        {
            if (_host.Time.GetElapsedTime(started) > WriteStallTimeout) return false;
            await Task.Delay(TimeSpan.FromMilliseconds(5), _host.Time);
        }

        return true;
    }

    /// <returns>False when the PDU was not queued: the session is closing or closed.</returns>
    private bool Send(Pdu pdu) => _outbound.Writer.TryWrite(pdu);

    /// <summary>Ends the session after what is queued has been written.</summary>
    /// <summary>
    /// Closes once every submit already taken has its answer queued (at most <see cref="DrainTimeout"/>): a message that
    /// was charged is never left without its submit_sm_resp, or the client would send it again.
    /// </summary>
    private async Task CloseWhenAnswered()
    {
        var waited = _host.Time.GetTimestamp();
        while (true)
        {
            // Decided under the lock that takes submits: none can be taken between "all answered" and closing.
            lock (_stateLock)
            {
                if (Volatile.Read(ref _inFlight) == 0 || _host.Time.GetElapsedTime(waited) >= DrainTimeout)
                {
                    Close();
                    return;
                }
            }

            await Task.Delay(TimeSpan.FromMilliseconds(10), _host.Time);
        }
    }

    /// <summary>Counts a submit in flight unless the session is closing (then it must not be charged).</summary>
    private bool TryTakeSubmit()
    {
        lock (_stateLock)
        {
            if (Volatile.Read(ref _closing) != 0) return false;
            Interlocked.Increment(ref _inFlight);
            return true;
        }
    }

    private void Close()
    {
        lock (_stateLock)
        {
            if (_closing != 0) return;
            _closing = 1;
        }

        _outbound.Writer.TryComplete();
        _connection.Transport.Input.CancelPendingRead();
    }

    private async Task ReleaseBind()
    {
        if (Binding is not { } binding) return;
        Binding = null;
        try
        {
            await _host.Grains.GetGrain<ISmppBindRegistryGrain>(binding.AccountId).Unbound(Id);
        }
        catch (Exception exception) when (exception is OrleansException or TimeoutException)
        {
            // The registry forgets the session by itself once this silo stops renewing it.
            LogReleaseFailed(Id, binding.AccountId, Failures.Reason(exception));
        }
    }

    private void Touch() => Volatile.Write(ref _lastActivity, _host.Time.GetTimestamp());

    /// <summary>A connection that never binds (a port scanner, a half-open socket, a client guessing passwords, one
    /// that only sends enquire_link) holds a socket and a session for nothing: it gets <see cref="SmppListenerOptions.BindTimeout"/>.</summary>
    private void CheckBound()
    {
        lock (_stateLock)
        {
            if (_state.IsBound() || _state is SessionState.Unbinding or SessionState.Closed) return;
            _state = SessionState.Closed;
        }

        LogServerClose(Id, Remote, $"not bound within {_host.Options.BindTimeout.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s");
        Close();
    }

    private void CheckIdle()
    {
        var idle = _host.Time.GetElapsedTime(Volatile.Read(ref _lastActivity));
        var timeout = _host.Options.IdleTimeout;
        if (idle < timeout)
        {
            try
            {
                _idleTimer.Change(timeout - idle, Timeout.InfiniteTimeSpan);
            }
            catch (ObjectDisposedException)
            {
            }

            return;
        }

        RequestUnbind($"idle for {idle.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)} s");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "SMPP session {SessionId} (account {AccountId}): submit_sm {SequenceNumber} arrived while closing; not taken, not charged")]
    private partial void LogSubmitRefusedClosing(Guid sessionId, long? accountId, uint sequenceNumber);

    [LoggerMessage(Level = LogLevel.Debug, Message = "SMPP session {SessionId} connected from {Remote}")]
    private partial void LogConnected(Guid sessionId, string remote);

    [LoggerMessage(Level = LogLevel.Information, Message = "SMPP session {SessionId} from {Remote} closed (account {AccountId}, system_id {SystemId})")]
    private partial void LogClosed(Guid sessionId, string remote, long accountId, string systemId);

    [LoggerMessage(Level = LogLevel.Information, Message = "SMPP session {SessionId} from {Remote} closed, never bound (system_id tried: {SystemId})")]
    private partial void LogClosedNeverBound(Guid sessionId, string remote, string systemId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "SMPP session {SessionId} from {Remote}: {CommandId} seq {SequenceNumber} ended in {TrailingOctets} octets too few to be a TLV; ignored")]
    private partial void LogIgnoredTrailingOctets(Guid sessionId, string remote, CommandId commandId, uint sequenceNumber, int trailingOctets);

    [LoggerMessage(Level = LogLevel.Debug, Message = "SMPP session {SessionId} from {Remote}: connection lost ({Reason})")]
    private partial void LogConnectionLost(Guid sessionId, string remote, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "SMPP session {SessionId} from {Remote} bound account {AccountId} as {SystemId} ({BindCommand}, interface version 0x{InterfaceVersion:X2})")]
    private partial void LogBound(Guid sessionId, string remote, long? accountId, string systemId, CommandId bindCommand, byte interfaceVersion);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SMPP session {SessionId} from {Remote}: bind as {SystemId} refused: {Reason}")]
    private partial void LogBindRefused(Guid sessionId, string remote, string systemId, string reason);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "SMPP system_id {SystemId} locked out after {MaxFailures} failed binds within {FailureWindow}; refused for {LockoutDuration} (last attempt from {Remote})")]
    private partial void LogSystemIdLockedOut(string systemId, int maxFailures, TimeSpan failureWindow, TimeSpan lockoutDuration, string remote);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SMPP session {SessionId}: bind as {SystemId} failed on a cluster error ({Reason})")]
    private partial void LogBindError(Guid sessionId, string systemId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "SMPP session {SessionId} from {Remote} (account {AccountId}) unbound by the client")]
    private partial void LogClientUnbind(Guid sessionId, string remote, long? accountId);

    [LoggerMessage(Level = LogLevel.Information, Message = "SMPP session {SessionId} from {Remote} (account {AccountId}): sending unbind, {Reason}")]
    private partial void LogServerUnbind(Guid sessionId, string remote, long? accountId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "SMPP session {SessionId} from {Remote}: closing unbound session, {Reason}")]
    private partial void LogServerClose(Guid sessionId, string remote, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SMPP session {SessionId} from {Remote}: {DecodeError}")]
    private partial void LogDecodeError(Guid sessionId, string remote, string decodeError);

    [LoggerMessage(Level = LogLevel.Debug, Message = "SMPP session {SessionId}: {CommandId} seq {SequenceNumber} matches no request of ours")]
    private partial void LogUnexpectedResponse(Guid sessionId, CommandId commandId, uint sequenceNumber);

    [LoggerMessage(Level = LogLevel.Information, Message = "SMPP session {SessionId} account {AccountId}: submit_sm seq {SequenceNumber} refused with {CommandStatus}: {Problem}")]
    private partial void LogSubmitInvalid(Guid sessionId, long? accountId, uint sequenceNumber, CommandStatus commandStatus, string? problem);

    [LoggerMessage(Level = LogLevel.Information, Message = "SMPP session {SessionId} account {AccountId}: submit_sm seq {SequenceNumber} rejected with {CommandStatus}, VAS reason {VasCode} {VasReason}")]
    private partial void LogSubmitRejected(Guid sessionId, long accountId, uint sequenceNumber, CommandStatus commandStatus, string vasCode, string vasReason);

    [LoggerMessage(Message = "SMPP session {SessionId} account {AccountId}: submit_sm seq {SequenceNumber} failed ({Reason})")]
    private partial void LogSubmitError(LogLevel level, Exception? exception, Guid sessionId, long accountId, uint sequenceNumber, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "SMPP session {SessionId} account {AccountId}: submit_sm seq {SequenceNumber} throttled")]
    private partial void LogThrottled(Guid sessionId, long? accountId, uint sequenceNumber);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SMPP session {SessionId} from {Remote} (account {AccountId}) closed: {Limit} PDUs queued and the client is not reading")]
    private partial void LogOutboundFull(Guid sessionId, string remote, long? accountId, int limit);

    [LoggerMessage(Level = LogLevel.Error, Message = "SMPP session {SessionId}: could not write {CommandId} seq {SequenceNumber}")]
    private partial void LogUnwritable(Exception exception, Guid sessionId, CommandId commandId, uint sequenceNumber);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SMPP session {SessionId}: could not report the answer to the receipt of message {MessageId} ({Reason})")]
    private partial void LogReceiptReportFailed(Guid sessionId, long messageId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SMPP session {SessionId}: could not free its bind slot of account {AccountId} ({Reason})")]
    private partial void LogReleaseFailed(Guid sessionId, long accountId, string reason);
}
