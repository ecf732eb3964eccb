using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Taifa.Operators.Connections;
using Taifa.Smpp.Pdus;
using Taifa.Smpp.Receipts;
using Taifa.Smpp.Session;
using Taifa.Smpp.Text;

namespace Taifa.Operators.Simulator;

/// <summary>
/// An SMSC that speaks real SMPP v3.4 over TCP, for the gateway's embedded default and for tests. It accepts binds and
/// submit_sm, answers with message ids, and after <see cref="SmscSimulatorOptions.ReceiptDelay"/> sends a delivery
/// receipt (deliver_sm, esm_class 0x04, standard text and TLVs) to a receiver or transceiver session of the same
/// system_id, trying again until it is answered ESME_ROK and holding it while no such session is bound. What it does
/// with binds and submits switches at run time through <see cref="Behaviour"/>. Thread-safe.
/// </summary>
public sealed class SmscSimulator : IAsyncDisposable
{
    private readonly SmscSimulatorOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<EsmeSession, byte> _sessions = new();
    private readonly Queue<SimulatedSubmit> _submits = new();
    private readonly Lock _lock = new();
    private SimulatorBehaviour _behaviour = SimulatorBehaviour.Normal;
    private TaskCompletionSource _behaviourChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _accepting;
    private bool _listening;
    private ulong _lastMessageId;
    private long _throttleSecond;
    private int _submitsThisSecond;
    private int _outstandingSubmits;
    private int _receiverRotation;
    private int _disposed;

    private long _connectionsAccepted;
    private long _bindsAccepted;
    private long _bindsRefused;
    private long _submitsReceived;
    private long _submitsAccepted;
    private long _submitsRejected;
    private long _submitsThrottled;
    private long _submitsFailed;
    private int _maxOutstandingSubmits;
    private long _receiptAttempts;
    private long _receiptsAcknowledged;
    private long _receiptsPending;
    private long _enquireLinksReceived;
    private long _unbindsReceived;

    public SmscSimulator(SmscSimulatorOptions? options = null, ILogger<SmscSimulator>? logger = null, TimeProvider? timeProvider = null)
    {
        _options = options ?? new SmscSimulatorOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.ReceiptWindowSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxRecordedSubmits, 0);
        _logger = logger ?? NullLogger<SmscSimulator>.Instance;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _listener = new TcpListener(_options.Address, _options.Port);
        _lastMessageId = (_options.FirstMessageId ?? (ulong)_timeProvider.GetUtcNow().ToUnixTimeMilliseconds() * 1000) - 1;
    }

    /// <summary>Where it listens; with port 0 in the options, the port the system chose. Valid after <see cref="Listen"/> or <see cref="Start"/>.</summary>
    public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndpoint;

    public SimulatorBehaviour Behaviour
    {
        get => Volatile.Read(ref _behaviour);
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            TaskCompletionSource changed;
            lock (_lock)
            {
                _behaviour = value;
                changed = _behaviourChanged;
                _behaviourChanged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            changed.TrySetResult();
            _logger.LogInformation("SMSC simulator {Simulator} behaviour now {Behaviour}", _options.Name, value);
        }
    }

    /// <summary>The accepted submits, oldest first (at most <see cref="SmscSimulatorOptions.MaxRecordedSubmits"/>).</summary>
    public IReadOnlyList<SimulatedSubmit> Submits
    {
        get
        {
            lock (_lock)
            {
                return [.. _submits];
            }
        }
    }

    public SmscSimulatorCounters Counters => new()
    {
        ConnectionsAccepted = Interlocked.Read(ref _connectionsAccepted),
        BindsAccepted = Interlocked.Read(ref _bindsAccepted),
        BindsRefused = Interlocked.Read(ref _bindsRefused),
        ActiveBinds = _sessions.Keys.Count(s => s.State.IsBound()),
        SubmitsReceived = Interlocked.Read(ref _submitsReceived),
        SubmitsAccepted = Interlocked.Read(ref _submitsAccepted),
        SubmitsRejected = Interlocked.Read(ref _submitsRejected),
        SubmitsThrottled = Interlocked.Read(ref _submitsThrottled),
        SubmitsFailed = Interlocked.Read(ref _submitsFailed),
        MaxOutstandingSubmits = Volatile.Read(ref _maxOutstandingSubmits),
        ReceiptAttempts = Interlocked.Read(ref _receiptAttempts),
        ReceiptsAcknowledged = Interlocked.Read(ref _receiptsAcknowledged),
        ReceiptsPending = Interlocked.Read(ref _receiptsPending),
        EnquireLinksReceived = Interlocked.Read(ref _enquireLinksReceived),
        UnbindsReceived = Interlocked.Read(ref _unbindsReceived),
    };

    /// <summary>
    /// Takes its port (so <see cref="EndPoint"/> is known) without accepting yet: connections wait in the listen
    /// backlog until <see cref="Start"/>.
    /// </summary>
    /// <exception cref="SocketException">The address or port cannot be listened on.</exception>
    public void Listen()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
        lock (_lock)
        {
            if (_listening) return;
            _listener.Start();
            _listening = true;
        }
    }

    /// <summary>Listens (unless <see cref="Listen"/> did) and starts accepting connections.</summary>
    /// <exception cref="SocketException">The address or port cannot be listened on.</exception>
    public void Start()
    {
        Listen();
        lock (_lock)
        {
            if (_accepting is not null)
            {
                return;
            }

            _accepting = Task.Run(AcceptAsync);
        }

        _logger.LogInformation("SMSC simulator {Simulator} listening on {EndPoint}", _options.Name, EndPoint);
    }

    /// <summary>
    /// Sends a mobile-originated message (a deliver_sm or data_sm the caller built, as a subscriber's handset would
    /// cause) to one of the bound receiving sessions, in the same rotation and window as receipts, and returns the
    /// client's answer: null when no receiver is bound or it did not answer within the response timeout.
    /// </summary>
    public async Task<CommandStatus?> DeliverMobileOriginatedAsync(SmppRequest message, string? systemId = null)
    {
        var receivers = _sessions.Keys.Where(s => s.State.CanReceive() && (systemId is null || s.SystemId == systemId)).ToArray();
        if (receivers.Length == 0)
        {
            return null;
        }

        var session = receivers[(int)((uint)Interlocked.Increment(ref _receiverRotation) % receivers.Length)];
        try
        {
            await session.ReceiptSlots.WaitAsync(session.Connection.Closed);
        }
        catch (OperationCanceledException)
        {
            return null;
        }

        try
        {
            return (await session.Connection.RequestAsync(message, _options.ResponseTimeout)).CommandStatus;
        }
        catch (Exception e) when (e is TimeoutException or SmppSessionClosedException or InvalidOperationException or InvalidDataException)
        {
            return null;
        }
        finally
        {
            session.ReceiptSlots.Release();
        }
    }

    /// <summary>Closes every session at once, as a crashing SMSC would; clients may bind again straight away.</summary>
    public void DropAllBinds()
    {
        foreach (var session in _sessions.Keys)
        {
            session.Connection.Abort();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stopping.CancelAsync();
        _listener.Stop();
        DropAllBinds();
        Task? accepting;
        lock (_lock)
        {
            accepting = _accepting;
        }

        if (accepting is not null)
        {
            await accepting;
        }

        await Task.WhenAll(_sessions.Keys.Select(s => s.Serving));
        _listener.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_stopping.IsCancellationRequested)
                {
                    return;
                }

                _logger.LogWarning(e, "SMSC simulator {Simulator} failed to accept a connection", _options.Name);
                continue;
            }

            Interlocked.Increment(ref _connectionsAccepted);
            if (Behaviour.CloseOnAccept)
            {
                // A reset, not a polite FIN: the client's first write fails, which is what real SMSCs at capacity cause.
                socket.LingerState = new LingerOption(true, 0);
                socket.Dispose();
                continue;
            }

            socket.NoDelay = true;
            var session = new EsmeSession(new SmppConnection(socket, _options.ReceiptWindowSize, _timeProvider, _logger), _options.ReceiptWindowSize);
            _sessions[session] = 0;
            session.Serving = Task.Run(() => ServeAsync(session));
        }
    }

    private async Task ServeAsync(EsmeSession session)
    {
        try
        {
            await session.Connection.RunAsync(pdu => OnIncomingAsync(session, pdu));
        }
        finally
        {
            _sessions.TryRemove(session, out _);
            if (session.State.IsBound())
            {
                _logger.LogInformation("SMSC simulator {Simulator}: {SystemId} ({State}) from {RemoteEndPoint} disconnected", _options.Name, session.SystemId, session.State, session.Connection.RemoteEndPoint);
            }

            session.State = SessionState.Closed;
        }
    }

    /// <returns>True to stop reading: the client unbound.</returns>
    private async ValueTask<bool> OnIncomingAsync(EsmeSession session, Pdu pdu)
    {
        await WhileStalledAsync(session.Connection.Closed);

        // Answers to a client that went away are not written; it learns nothing more from this session.
        switch (pdu)
        {
            case BindRequest bind:
                session.Connection.Send(Bind(session, bind));
                break;
            case EnquireLink enquireLink:
                Interlocked.Increment(ref _enquireLinksReceived);
                session.Connection.Send(enquireLink.CreateResponse());
                break;
            case Unbind unbind:
                Interlocked.Increment(ref _unbindsReceived);
                session.State = SessionState.Unbinding;
                session.Connection.Send(unbind.CreateResponse());
                return true;
            case SubmitSm submit when session.State.CanSubmit():
                Submit(session, submit);
                break;
            case SmppRequest request:
                session.Connection.Send(request.CreateResponse(session.State.IsBound() ? CommandStatus.InvalidCommandId : CommandStatus.IncorrectBindStatus));
                break;
        }

        return false;
    }

    private async Task WhileStalledAsync(CancellationToken closed)
    {
        while (true)
        {
            Task changed;
            lock (_lock)
            {
                if (!_behaviour.Stall)
                {
                    return;
                }

                changed = _behaviourChanged.Task;
            }

            try
            {
                await changed.WaitAsync(closed);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private BindResponse Bind(EsmeSession session, BindRequest bind)
    {
        var response = (BindResponse)bind.CreateResponse();
        response.SystemId = _options.Name;
        var status = session.State != SessionState.Open ? CommandStatus.AlreadyBound
            : Behaviour.RefuseBinds ? CommandStatus.BindFailed
            : _options.SystemId is not null && bind.SystemId != _options.SystemId ? CommandStatus.InvalidSystemId
            : _options.Password is not null && bind.Password != _options.Password ? CommandStatus.InvalidPassword
            : CommandStatus.Ok;
        if (status != CommandStatus.Ok)
        {
            Interlocked.Increment(ref _bindsRefused);
            _logger.LogInformation("SMSC simulator {Simulator} refused {CommandId} of {SystemId}: {Status}", _options.Name, bind.CommandId, bind.SystemId, status);
            response.CommandStatus = status;
            return response;
        }

        session.SystemId = bind.SystemId;
        session.State = bind switch
        {
            BindTransmitter => SessionState.BoundTransmitter,
            BindReceiver => SessionState.BoundReceiver,
            _ => SessionState.BoundTransceiver,
        };
        response.OptionalParameters.ScInterfaceVersion = InterfaceVersion.V34;
        Interlocked.Increment(ref _bindsAccepted);
        _logger.LogInformation("SMSC simulator {Simulator} bound {SystemId} as {State} from {RemoteEndPoint}", _options.Name, bind.SystemId, session.State, session.Connection.RemoteEndPoint);
        return response;
    }

    private void Submit(EsmeSession session, SubmitSm submit)
    {
        Interlocked.Increment(ref _submitsReceived);
        var outstanding = Interlocked.Increment(ref _outstandingSubmits);
        var max = Volatile.Read(ref _maxOutstandingSubmits);
        while (outstanding > max && Interlocked.CompareExchange(ref _maxOutstandingSubmits, outstanding, max) != max)
        {
            max = Volatile.Read(ref _maxOutstandingSubmits);
        }

        var behaviour = Behaviour;
        var response = submit.CreateResponse();
        response.CommandStatus = Decide(behaviour);
        if (response.CommandStatus == CommandStatus.Ok)
        {
            var id = Interlocked.Increment(ref _lastMessageId);
            response.MessageId = FormatId(id, _options.SubmitIdFormat, 0);
            Record(session, submit, response.MessageId);
            if (ReceiptFor(submit, id, behaviour) is { } receipt)
            {
                _ = DeliverReceiptAsync(session.SystemId!, receipt);
            }
        }

        if (behaviour.ResponseDelay > TimeSpan.Zero)
        {
            _ = RespondLaterAsync(session, response, behaviour.ResponseDelay);
        }
        else
        {
            Respond(session, response);
        }
    }

    private CommandStatus Decide(SimulatorBehaviour behaviour)
    {
        if (Draw(behaviour.RejectShare))
        {
            Interlocked.Increment(ref _submitsRejected);
            return behaviour.RejectStatus;
        }

        if (Draw(behaviour.SystemErrorShare))
        {
            Interlocked.Increment(ref _submitsFailed);
            return CommandStatus.SystemError;
        }

        if (Draw(behaviour.ThrottleShare) || IsAboveRate(behaviour.ThrottleAbovePerSecond))
        {
            Interlocked.Increment(ref _submitsThrottled);
            return CommandStatus.Throttled;
        }

        Interlocked.Increment(ref _submitsAccepted);
        return CommandStatus.Ok;
    }

    private static bool Draw(double share) => share > 0 && (share >= 1 || Random.Shared.NextDouble() < share);

    private bool IsAboveRate(int? limit)
    {
        if (limit is not { } perSecond)
        {
            return false;
        }

        var second = _timeProvider.GetUtcNow().ToUnixTimeSeconds();
        lock (_lock)
        {
            if (second != _throttleSecond)
            {
                _throttleSecond = second;
                _submitsThisSecond = 0;
            }

            if (_submitsThisSecond >= perSecond)
            {
                return true;
            }

            _submitsThisSecond++;
            return false;
        }
    }

    private void Record(EsmeSession session, SubmitSm submit, string messageId)
    {
        var record = new SimulatedSubmit(messageId, session.SystemId!, submit.Source, submit.Destination, submit.ShortMessage,
            submit.DataCoding, submit.EsmClass, submit.RegisteredDelivery, _timeProvider.GetUtcNow()) { ValidityPeriod = submit.ValidityPeriod };
        lock (_lock)
        {
            _submits.Enqueue(record);
            while (_submits.Count > _options.MaxRecordedSubmits)
            {
                _submits.Dequeue();
            }
        }
    }

    /// <returns>The receipt registered_delivery asks for (always, or on failure only), or null.</returns>
    private DeliverSm? ReceiptFor(SubmitSm submit, ulong id, SimulatorBehaviour behaviour)
    {
        var draw = Random.Shared.NextDouble();
        var (state, error) = draw < behaviour.UndeliveredShare ? (MessageState.Undeliverable, "001")
            : draw < behaviour.UndeliveredShare + behaviour.ExpiredShare ? (MessageState.Expired, "002")
            : (MessageState.Delivered, "000");
        var wanted = (submit.RegisteredDelivery & RegisteredDelivery.SmscReceiptMask) switch
        {
            RegisteredDelivery.SmscReceiptOnSuccessOrFailure => true,
            RegisteredDelivery.SmscReceiptOnFailure => state != MessageState.Delivered,
            _ => false,
        };
        if (!wanted)
        {
            return null;
        }

        var now = _timeProvider.GetLocalNow().DateTime;
        var text = MessageContent.GetText(submit) ?? string.Empty;
        var receipt = new DeliveryReceipt(FormatId(id, _options.ReceiptIdFormat, _options.ReceiptIdWidth), state)
        {
            Submitted = 1,
            Delivered = state == MessageState.Delivered ? 1 : 0,
            SubmitDate = now,
            DoneDate = now + _options.ReceiptDelay,
            ErrorCode = error,
            Text = text,
        };
        return receipt.ToDeliverSm(submit.Destination, submit.Source);
    }

    private static string FormatId(ulong id, SimulatedIdFormat format, int width) =>
        (format == SimulatedIdFormat.Hex ? id.ToString("X", CultureInfo.InvariantCulture) : id.ToString(CultureInfo.InvariantCulture))
        .PadLeft(width, '0');

    private async Task RespondLaterAsync(EsmeSession session, SubmitSmResp response, TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, _timeProvider, session.Connection.Closed);
        }
        catch (OperationCanceledException)
        {
            Interlocked.Decrement(ref _outstandingSubmits);
            return;
        }

        Respond(session, response);
    }

    private void Respond(EsmeSession session, SubmitSmResp response)
    {
        // Counted as answered before the bytes leave: the client may send its next submit the moment they arrive.
        Interlocked.Decrement(ref _outstandingSubmits);
        session.Connection.Send(response);
    }

    private async Task DeliverReceiptAsync(string systemId, DeliverSm receipt)
    {
        Interlocked.Increment(ref _receiptsPending);
        var stopping = _stopping.Token;
        try
        {
            await Task.Delay(_options.ReceiptDelay, _timeProvider, stopping);
            while (true)
            {
                if (PickReceiver(systemId) is { } session && await TryDeliverAsync(session, receipt))
                {
                    Interlocked.Increment(ref _receiptsAcknowledged);
                    return;
                }

                await Task.Delay(_options.ReceiptRetryInterval, _timeProvider, stopping);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        finally
        {
            Interlocked.Decrement(ref _receiptsPending);
        }
    }

    private async Task<bool> TryDeliverAsync(EsmeSession session, DeliverSm receipt)
    {
        try
        {
            await session.ReceiptSlots.WaitAsync(session.Connection.Closed);
        }
        catch (OperationCanceledException)
        {
            return false;
        }

        try
        {
            Interlocked.Increment(ref _receiptAttempts);
            var response = await session.Connection.RequestAsync(receipt, _options.ResponseTimeout);
            return response.CommandStatus == CommandStatus.Ok;
        }
        catch (Exception e) when (e is TimeoutException or SmppSessionClosedException or InvalidOperationException or InvalidDataException)
        {
            return false;
        }
        finally
        {
            session.ReceiptSlots.Release();
        }
    }

    private EsmeSession? PickReceiver(string systemId)
    {
        var receivers = _sessions.Keys.Where(s => s.State.CanReceive() && s.SystemId == systemId).ToArray();
        return receivers.Length == 0 ? null : receivers[(int)((uint)Interlocked.Increment(ref _receiverRotation) % receivers.Length)];
    }

    private sealed class EsmeSession(SmppConnection connection, int receiptWindow)
    {
        private volatile int _state = (int)SessionState.Open;

        public SmppConnection Connection { get; } = connection;

        public SemaphoreSlim ReceiptSlots { get; } = new(receiptWindow, receiptWindow);

        public Task Serving { get; set; } = Task.CompletedTask;

        public string? SystemId { get; set; }

        public SessionState State
        {
            get => (SessionState)_state;
            set => _state = (int)value;
        }
    }
}
