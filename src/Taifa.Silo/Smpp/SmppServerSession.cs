using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Taifa.Abstractions;
using Taifa.Abstractions.Accounts;
using Taifa.Abstractions.Smpp;
using Taifa.Silo.Hosting;
using Taifa.Silo.Intake;
using Taifa.Smpp.Codec;
using Taifa.Smpp.Pdus;
using Taifa.Smpp.Session;

namespace Taifa.Silo.Smpp;

/// <summary>
/// One customer's SMPP connection, server side, on an <see cref="SmppChannel"/> (which reads, answers undecodable
/// frames, routes answers to its window and writes). This is the server role: binds go to
/// <see cref="SmppBindAuthenticator"/>, enquire_link and unbind are answered inline, and each admitted submit_sm goes
/// to its account grain without blocking the reading; its submit_sm_resp is queued when that message completes, so
/// many submits are outstanding at once.
/// </summary>
public sealed partial class SmppServerSession : ISmppChannelHandler, ISmppBindingHolder, IAsyncDisposable
{
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan UnbindRespTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan ReceiptRespTimeout = TimeSpan.FromSeconds(10);

    // Receipts in flight per session: the server's request window (64) less a slot for unbind.
    internal const int ReceiptWindow = 63;
    private const string ServerSystemId = "TAIFA";

    private readonly SmppSessionHost _host;
    private readonly ConnectionContext _connection;
    private readonly SmppChannel _channel;
    private readonly SmppSubmits _submits;
    private readonly SmppMessageQueries _queries;
    private readonly ITimer _idleTimer;
    private readonly ITimer _bindTimer;
    private readonly ILogger _logger;
    private readonly Lock _stateLock = new();
    private SessionState _state = SessionState.Open;
    // Kept after the bind slot is released, so the closing log line still names the account.
    private long? _boundAccountId;

    internal SmppServerSession(SmppSessionHost host, ConnectionContext connection)
    {
        _host = host;
        _connection = connection;
        _logger = host.Loggers.CreateLogger<SmppServerSession>();

        // The channel's queue never drops an answer (a lost submit_sm_resp of a charged message is resent and paid
        // twice); it is bounded by reading no more at MaxQueuedOutbound, and what is queued besides is the answers of
        // submits in flight (at most Window, see SubmitAdmission) and our own requests (at most the window's 64).
        _channel = new SmppChannel(connection.Transport, Abort, this, host.ChannelOptions, host.Time);
        _submits = new SmppSubmits(host, _channel, Id, _logger);
        _queries = new SmppMessageQueries(host.Grains, _channel, Id, _logger);
        _idleTimer = host.Time.CreateTimer(static s => ((SmppServerSession)s!).CheckIdle(), this, host.Options.IdleTimeout, Timeout.InfiniteTimeSpan);
        _bindTimer = host.Time.CreateTimer(static s => ((SmppServerSession)s!).CheckBound(), this, host.Options.BindTimeout, Timeout.InfiniteTimeSpan);
    }

    public Guid Id { get; } = Guid.NewGuid();

    /// <summary>Set once a bind succeeds.</summary>
    internal long? AccountId => Binding?.AccountId;

    /// <summary>Set by the bind decision the moment the slot is taken; cleared when it is released.</summary>
    internal BoundSession? Binding { get; private set; }

    BoundSession? ISmppBindingHolder.Binding
    {
        get => Binding;
        set => Binding = value;
    }

    string ISmppBindingHolder.Remote => Remote;

    IPAddress? ISmppBindingHolder.Source => (_connection.RemoteEndPoint as IPEndPoint)?.Address;

    ISmppSessionHost ISmppBindingHolder.Host => _host.Reference;

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
        await _channel.RunAsync();
        if (_boundAccountId is { } accountId) LogClosed(Id, Remote, accountId, SystemId);
        else LogClosedNeverBound(Id, Remote, SystemId.Length > 0 ? SystemId : "none");
    }

    public async ValueTask DisposeAsync()
    {
        await _idleTimer.DisposeAsync();
        await _bindTimer.DisposeAsync();

        // Not the channel's abort: Kestrel closes the connection itself, after sending what the channel wrote last.
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
        try
        {
            if (_channel.TrySendRequest(new Unbind(), UnbindRespTimeout, out var response))
            {
                response.ContinueWith(static (_, s) => ((SmppSubmits)s!).CloseWhenAnswered(DrainTimeout), _submits, TaskScheduler.Default);
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
                if (_channel.Window.Count >= ReceiptWindow) break;
                if (!_channel.TrySendRequest(ReceiptPdu.Create(receipt), ReceiptRespTimeout, out var response)) break;
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
        catch (Exception exception) when (exception is SmppSessionClosedException or TimeoutException or InvalidDataException or ArgumentException)
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

    async ValueTask<bool> ISmppChannelHandler.OnIncomingAsync(Pdu pdu)
    {
        if (pdu is not SmppRequest request)
        {
            // outbind and alert_notification travel only from an SMSC.
            _channel.Send(new GenericNack(CommandStatus.InvalidCommandId, pdu.SequenceNumber));
            return false;
        }

        var state = State;
        if (state == SessionState.Closed) return true;
        if (!state.IsAllowed(request.CommandId, PduDirection.EsmeToSmsc))
        {
            _channel.Send(request.CreateResponse(CommandStatus.IncorrectBindStatus));
            return false;
        }

        switch (request)
        {
            case EnquireLink:
                _channel.Send(request.CreateResponse());
                return false;
            case BindRequest bind:
                return await OnBind(bind);
            case Unbind:
                await OnUnbind(request);
                return true;
            case SubmitSm submit:
                _submits.Take(submit);
                return false;
            case QuerySm query:
                _queries.Query(query, AccountId!.Value);
                return false;
            case CancelSm cancel:
                _queries.Cancel(cancel, AccountId!.Value);
                return false;
            default:
                // replace_sm, submit_multi and data_sm are not offered by this gateway.
                _channel.Send(request.CreateResponse(CommandStatus.InvalidCommandId));
                return false;
        }
    }

    void ISmppChannelHandler.OnDecodeError(SmppDecodeError error)
    {
        LogDecodeError(Id, Remote, error.ToString());
        if (error.IsFatal)
        {
            lock (_stateLock) _state = SessionState.Closed;
        }
    }

    void ISmppChannelHandler.OnIgnoredTrailingOctets(Pdu pdu) =>
        LogIgnoredTrailingOctets(Id, Remote, pdu.CommandId, pdu.SequenceNumber, pdu.IgnoredTrailingOctets);

    void ISmppChannelHandler.OnUnexpectedResponse(SmppResponse response) => LogUnexpectedResponse(Id, response.CommandId, response.SequenceNumber);

    void ISmppChannelHandler.OnUnwritable(Pdu pdu, ArgumentException error) => LogUnwritable(error, Id, pdu.CommandId, pdu.SequenceNumber);

    void ISmppChannelHandler.OnPeerNotReading() => LogOutboundFull(Id, Remote, AccountId, _host.Options.MaxQueuedOutbound);

    void ISmppChannelHandler.OnConnectionLost(Exception error) => LogConnectionLost(Id, Remote, error.Message);

    void ISmppChannelHandler.OnFault(Exception error) => LogFault(error, Id, Remote);

    async ValueTask ISmppChannelHandler.OnReadingEndedAsync()
    {
        lock (_stateLock) _state = SessionState.Closed;
        await _host.Authenticator.ReleaseAsync(this);
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

        var (status, close) = await _host.Authenticator.AuthenticateAsync(bind, bindType, this);
        var response = (BindResponse)bind.CreateResponse(status);
        response.SystemId = ServerSystemId;
        if (status == CommandStatus.Ok)
        {
            response.OptionalParameters.ScInterfaceVersion = InterfaceVersion.V34;
            _submits.Bound(Binding!.AccountId);
        }

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

        _channel.Send(response);
        if (status == CommandStatus.Ok)
        {
            _boundAccountId = AccountId;
            LogBound(Id, Remote, AccountId, bind.SystemId, bind.CommandId, bind.InterfaceVersion);
            if (bindType != SmppBindType.Transmitter && AccountId is { } accountId) _ = _host.Grains.GetGrain<ISmppReceiptOutboxGrain>(accountId).ReceiverBound();
        }

        return close;
    }

    private async Task OnUnbind(SmppRequest unbind)
    {
        lock (_stateLock) _state = SessionState.Unbinding;

        // Let the client see the answers to the submits it already sent before it sees unbind_resp.
        await _submits.WhenAnswered(DrainTimeout);
        _channel.Send(unbind.CreateResponse());
        LogClientUnbind(Id, Remote, AccountId);
    }

    /// <summary>Ends the session after what is queued has been written.</summary>
    private void Close() => _submits.Close();

    private void Abort(Exception? reason) =>
        _connection.Abort(reason is null ? new ConnectionAbortedException() : new ConnectionAbortedException(reason.Message, reason));

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
        var idle = _host.Time.GetElapsedTime(_channel.LastActivity);
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "SMPP session {SessionId} from {Remote} (account {AccountId}) closed: {Limit} PDUs queued and the client is not reading")]
    private partial void LogOutboundFull(Guid sessionId, string remote, long? accountId, int limit);

    [LoggerMessage(Level = LogLevel.Error, Message = "SMPP session {SessionId}: could not write {CommandId} seq {SequenceNumber}")]
    private partial void LogUnwritable(Exception exception, Guid sessionId, CommandId commandId, uint sequenceNumber);

    [LoggerMessage(Level = LogLevel.Error, Message = "SMPP session {SessionId} from {Remote} ended by an error")]
    private partial void LogFault(Exception exception, Guid sessionId, string remote);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SMPP session {SessionId}: could not report the answer to the receipt of message {MessageId} ({Reason})")]
    private partial void LogReceiptReportFailed(Guid sessionId, long messageId, string reason);
}
