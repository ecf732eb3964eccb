using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Taifa.Domain.Operators;
using Taifa.Smpp.Pdus;
using Taifa.Smpp.Session;

namespace Taifa.Operators.Client;

/// <summary>
/// An SMPP client bind to an operator's SMSC: one connection (transceiver) or two (transmitter and receiver), each
/// connecting, binding, kept alive with enquire_link and reconnected with back-off, forever until disposed. Submits go through a window and a rate limit; incoming deliver_sm go to the
/// handler and are acknowledged only once it has taken them. Background work runs on the thread pool (no thread of
/// its own); everything public is thread-safe.
/// </summary>
public sealed class OperatorBind : IAsyncDisposable
{
    /// <summary>SMPP v3.4 §5.2.21: longer text must travel in message_payload.</summary>
    private const int MaxShortMessageLength = 254;

    private readonly OperatorBindOptions _options;
    private readonly Func<ReceivedDeliverSm, CancellationToken, Task<bool>> _deliverSmHandler;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly SemaphoreSlim _windowSlots;
    private readonly SubmitRateLimiter? _rateLimiter;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _stateLock = new();
    private readonly RoleConnection[] _roles;
    private readonly RoleConnection _transmitter;
    private TaskCompletionSource _stateChanged = NewSignal();
    private Task? _running;
    private int _disposed;

    /// <param name="deliverSmHandler">
    /// Takes each incoming deliver_sm; true when it has been taken care of (stored), so it is answered ESME_ROK. False or
    /// an exception answers ESME_RX_T_APPN, and the SMSC delivers it again later.
    /// </param>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public OperatorBind(
        OperatorBindOptions options,
        Func<ReceivedDeliverSm, CancellationToken, Task<bool>> deliverSmHandler,
        ILogger<OperatorBind>? logger = null,
        TimeProvider? timeProvider = null)
    {
        options.Validate();
        _options = options;
        _deliverSmHandler = deliverSmHandler;
        _logger = logger ?? NullLogger<OperatorBind>.Instance;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _windowSlots = new SemaphoreSlim(options.WindowSize, options.WindowSize);
        _rateLimiter = SubmitRateLimiter.For(options.MaxSubmitsPerSecond, _timeProvider);
        _roles = options.Mode == OperatorBindMode.Transceiver
            ? [new RoleConnection(this, BindRole.Transceiver)]
            : [new RoleConnection(this, BindRole.Transmitter), new RoleConnection(this, BindRole.Receiver)];
        _transmitter = _roles[0];
    }

    public string Name => _options.Name;

    public OperatorBindState State
    {
        get
        {
            if (Volatile.Read(ref _disposed) == 1)
            {
                return OperatorBindState.Closed;
            }

            if (_roles.All(l => l.State == OperatorBindState.Bound))
            {
                return OperatorBindState.Bound;
            }

            return _roles.All(l => l.State == OperatorBindState.Disconnected) ? OperatorBindState.Disconnected : OperatorBindState.Connecting;
        }
    }

    /// <summary>Submits outstanding now (sent, no submit_sm_resp yet).</summary>
    public int OutstandingSubmits => _options.WindowSize - _windowSlots.CurrentCount;

    /// <summary>Starts connecting in the background. Calling it again does nothing.</summary>
    /// <exception cref="ObjectDisposedException">The bind was disposed.</exception>
    public void Start()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
        lock (_stateLock)
        {
            _running ??= Task.WhenAll(_roles.Select(l => Task.Run(() => l.RunAsync(_stopping.Token))));
        }
    }

    /// <summary>Completes when <see cref="State"/> is <see cref="OperatorBindState.Bound"/>, at once if it is now.</summary>
    /// <exception cref="ObjectDisposedException">The bind is or becomes disposed first.</exception>
    public async Task WaitUntilBoundAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_stateLock)
            {
                changed = _stateChanged.Task;
            }

            var state = State;
            ObjectDisposedException.ThrowIf(state == OperatorBindState.Closed, this);
            if (state == OperatorBindState.Bound)
            {
                return;
            }

            await changed.WaitAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Sends one submit_sm (a copy, with this session's next sequence number) once a window slot and the rate limit
    /// allow, and reads its submit_sm_resp. <paramref name="cancellationToken"/> stops the waiting for a slot or a
    /// token; once sent, the call waits for the answer, at most <see cref="OperatorBindOptions.ResponseTimeout"/>.
    /// No answer in time counts the connection dead: it is closed and reconnected.
    /// </summary>
    /// <returns><see cref="SubmitOutcome.NotBound"/> at once when the transmitting session is not bound.</returns>
    /// <exception cref="ObjectDisposedException">The bind was disposed.</exception>
    public async Task<SubmitOutcome> SubmitAsync(SubmitSm submitSm, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
        if (_transmitter.BoundConnection is null)
        {
            return SubmitOutcome.NotBound.Instance;
        }

        await _windowSlots.WaitAsync(cancellationToken);
        try
        {
            if (_rateLimiter is not null)
            {
                await _rateLimiter.WaitAsync(cancellationToken);
            }

            if (_transmitter.BoundConnection is not { } connection)
            {
                return SubmitOutcome.NotBound.Instance;
            }

            try
            {
                var response = await connection.RequestAsync(submitSm.Clone(), _options.ResponseTimeout);
                if (response.CommandStatus == CommandStatus.IncorrectBindStatus)
                {
                    _logger.LogWarning("{Operator} SMSC says the {Role} session is not bound; reconnecting", Name, _transmitter.Role);
                    connection.Abort();
                }

                return SubmitOutcome.FromResponse(response);
            }
            catch (TimeoutException e)
            {
                _logger.LogWarning("{Operator} SMSC did not answer a submit_sm within {Timeout}; closing the link to reconnect", Name, _options.ResponseTimeout);
                connection.Abort(e);
                return new SubmitOutcome.TemporaryFailure(null, e.Message);
            }
            catch (SmppSessionClosedException e)
            {
                return new SubmitOutcome.TemporaryFailure(null, $"The connection was lost before the submit_sm_resp: {e.Message}");
            }
            catch (InvalidDataException e)
            {
                return new SubmitOutcome.TemporaryFailure(null, $"The submit_sm_resp could not be decoded: {e.Message}");
            }
            catch (InvalidOperationException e)
            {
                return new SubmitOutcome.TemporaryFailure(null, e.Message);
            }
            catch (ArgumentException e)
            {
                _logger.LogWarning("{Operator}: a submit_sm to {Destination} cannot be encoded and was not sent: {Error}", Name, submitSm.Destination.Address, e.Message);
                return new SubmitOutcome.Unsendable(submitSm.ShortMessage.Length > MaxShortMessageLength ? CommandStatus.InvalidMessageLength : CommandStatus.SubmitFailed, e.Message);
            }
        }
        finally
        {
            _windowSlots.Release();
        }
    }

    /// <summary>
    /// Stops reconnecting; on each bound session waits up to <see cref="OperatorBindOptions.UnbindTimeout"/> for
    /// outstanding submit_sm_resp, unbinds (waiting as long again for unbind_resp) and closes. Submits still waiting
    /// then end as <see cref="SubmitOutcome.TemporaryFailure"/>.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stopping.CancelAsync();
        Task? running;
        lock (_stateLock)
        {
            running = _running;
        }

        if (running is not null)
        {
            await running;
        }

        OnStateChanged();
        _logger.LogInformation("{Operator} bind closed", Name);
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void OnStateChanged()
    {
        TaskCompletionSource changed;
        lock (_stateLock)
        {
            changed = _stateChanged;
            _stateChanged = NewSignal();
        }

        changed.TrySetResult();
    }

    private enum BindRole
    {
        Transceiver,
        Transmitter,
        Receiver,
    }

    /// <summary>
    /// The connection of one role of the bind (the transceiver, or the transmitter or receiver of a pair), kept bound by
    /// its reconnect loop. Words on the operator side: a bind is an <see cref="OperatorBind"/>, a connection one SMPP
    /// session over one socket, and a link only the dispatcher's handle on a bind (IOperatorLink) or enquire_link.
    /// </summary>
    private sealed class RoleConnection(OperatorBind owner, BindRole role)
    {
        private volatile Connections.SmppConnection? _bound;
        private volatile int _state = (int)OperatorBindState.Disconnected;

        public BindRole Role => role;

        public OperatorBindState State => (OperatorBindState)_state;

        /// <summary>The session while it is bound and not unbinding; null otherwise.</summary>
        public Connections.SmppConnection? BoundConnection => _bound;

        private OperatorBindOptions Options => owner._options;

        private ILogger Logger => owner._logger;

        public async Task RunAsync(CancellationToken stopping)
        {
            var failures = 0;
            while (!stopping.IsCancellationRequested)
            {
                SetState(OperatorBindState.Connecting);
                bool healthy;
                try
                {
                    healthy = await ConnectAndServeAsync(stopping);
                }
                catch (Exception e)
                {
                    // Whatever failed, this loop is the only thing that brings the connection back: it must not end.
                    Logger.LogWarning(e, "{Operator} {Role} session to {Host}:{Port} failed", owner.Name, role, Options.Host, Options.Port);
                    healthy = false;
                }

                SetState(OperatorBindState.Disconnected);
                if (stopping.IsCancellationRequested)
                {
                    break;
                }

                failures = healthy ? 1 : failures + 1;
                var delay = BackOff(failures);
                Logger.LogInformation("{Operator} {Role} reconnecting to {Host}:{Port} in {Delay}", owner.Name, role, Options.Host, Options.Port, delay);
                try
                {
                    await Task.Delay(delay, owner._timeProvider, stopping);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }

        /// <returns>
        /// Whether the session stayed bound for at least <see cref="OperatorBindOptions.ReconnectMaxDelay"/>: only then
        /// does the back-off start again from the shortest wait, so an SMSC that takes the bind and drops it at once
        /// is not hammered.
        /// </returns>
        private async Task<bool> ConnectAndServeAsync(CancellationToken stopping)
        {
            Connections.SmppConnection? connection = null;
            Task? reading = null;
            long? boundSince = null;
            try
            {
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    using var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
                    connectTimeout.CancelAfter(Options.ConnectTimeout);
                    await socket.ConnectAsync(Options.Host, Options.Port, connectTimeout.Token);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }

                // Room beyond the submit window for enquire_link and unbind, so a full window never blocks them.
                connection = new Connections.SmppConnection(socket, Options.WindowSize + 2, owner._timeProvider, Logger);
                var session = connection;
                reading = Task.Run(() => session.RunAsync(pdu => OnIncomingAsync(session, pdu, stopping)), CancellationToken.None);

                var bindResponse = await connection.RequestAsync(CreateBind(), Options.ResponseTimeout).WaitAsync(stopping);
                if (bindResponse.CommandStatus != CommandStatus.Ok)
                {
                    Logger.LogError("{Operator} SMSC at {Host}:{Port} refused the {Role} bind of {SystemId}: {Status} (0x{StatusCode:X8})",
                        owner.Name, Options.Host, Options.Port, role, Options.SystemId, bindResponse.CommandStatus, (uint)bindResponse.CommandStatus);
                    return false;
                }

                boundSince = owner._timeProvider.GetTimestamp();
                _bound = connection;
                SetState(OperatorBindState.Bound);
                Logger.LogInformation("{Operator} {Role} bound to {Host}:{Port} as {SystemId}", owner.Name, role, Options.Host, Options.Port, Options.SystemId);

                var keepAlive = KeepAliveAsync(connection);
                var stopped = Task.Delay(Timeout.Infinite, stopping);
                if (await Task.WhenAny(reading, stopped) == stopped)
                {
                    await UnbindAsync(connection);
                }
                else
                {
                    Logger.LogWarning("{Operator} {Role} link to {Host}:{Port} lost", owner.Name, role, Options.Host, Options.Port);
                }

                connection.Abort();
                await keepAlive;
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                Logger.LogWarning("{Operator} {Role} could not connect and bind to {Host}:{Port}: {Error}", owner.Name, role, Options.Host, Options.Port, e.Message);
            }
            finally
            {
                _bound = null;
                connection?.Abort();
                if (reading is not null)
                {
                    await reading;
                }
            }

            return boundSince is { } since && owner._timeProvider.GetElapsedTime(since) >= Options.ReconnectMaxDelay;
        }

        private BindRequest CreateBind()
        {
            BindRequest bind = role switch
            {
                BindRole.Transmitter => new BindTransmitter(),
                BindRole.Receiver => new BindReceiver(),
                _ => new BindTransceiver(),
            };
            bind.SystemId = Options.SystemId;
            bind.Password = Options.Password;
            bind.SystemType = Options.SystemType;
            return bind;
        }

        private async Task KeepAliveAsync(Connections.SmppConnection connection)
        {
            if (!await connection.KeepAliveAsync(Options.EnquireLinkInterval, Options.ResponseTimeout))
            {
                Logger.LogWarning("{Operator} {Role} got no enquire_link_resp within {Timeout}; the link is dead", owner.Name, role, Options.ResponseTimeout);
            }
        }

        /// <summary>Lets outstanding submits finish (briefly), then unbinds.</summary>
        private async Task UnbindAsync(Connections.SmppConnection connection)
        {
            _bound = null;
            var timeout = Options.UnbindTimeout;
            try
            {
                // Closing the connection empties the window too.
                await connection.Window.WhenEmpty().WaitAsync(timeout, owner._timeProvider);
            }
            catch (TimeoutException)
            {
            }

            try
            {
                var response = await connection.RequestAsync(new Unbind(), timeout > TimeSpan.Zero ? timeout : TimeSpan.FromMilliseconds(1));
                Logger.LogInformation("{Operator} {Role} unbound: {Status}", owner.Name, role, response.CommandStatus);
            }
            catch (Exception e) when (e is TimeoutException or SmppSessionClosedException or InvalidOperationException or InvalidDataException)
            {
                Logger.LogInformation("{Operator} {Role} closed without an unbind_resp: {Error}", owner.Name, role, e.Message);
            }
        }

        /// <returns>True to stop reading: the SMSC unbound.</returns>
        private ValueTask<bool> OnIncomingAsync(Connections.SmppConnection connection, Pdu pdu, CancellationToken stopping)
        {
            switch (pdu)
            {
                case DeliverSm deliverSm when role != BindRole.Transmitter:
                    _ = HandleDeliverSmAsync(connection, deliverSm, deliverSm, stopping);
                    break;
                case DataSm dataSm when role != BindRole.Transmitter:
                    // The same message in the other PDU (content in message_payload): one handler for both.
                    _ = HandleDeliverSmAsync(connection, dataSm, AsDeliverSm(dataSm), stopping);
                    break;
                case EnquireLink enquireLink:
                    connection.Send(enquireLink.CreateResponse());
                    break;
                case Unbind unbind:
                    Logger.LogWarning("{Operator} SMSC unbound the {Role} session; reconnecting", owner.Name, role);
                    _bound = null;
                    connection.Send(unbind.CreateResponse());
                    return ValueTask.FromResult(true);
                case SmppRequest request:
                    // deliver_sm and data_sm on a transmitter session: we take neither.
                    Logger.LogWarning("{Operator} {Role} refused an unexpected {CommandId} from the SMSC", owner.Name, role, request.CommandId);
                    connection.Send(request.CreateResponse(
                        request is DeliverSm or DataSm ? CommandStatus.IncorrectBindStatus : CommandStatus.ReceiverRejectedMessage));
                    break;
                default:
                    Logger.LogInformation("{Operator} {Role} ignored {CommandId} from the SMSC", owner.Name, role, pdu.CommandId);
                    break;
            }

            return ValueTask.FromResult(false);
        }

        private static DeliverSm AsDeliverSm(DataSm dataSm)
        {
            var deliverSm = new DeliverSm
            {
                SequenceNumber = dataSm.SequenceNumber,
                ServiceType = dataSm.ServiceType,
                Source = dataSm.Source,
                Destination = dataSm.Destination,
                EsmClass = dataSm.EsmClass,
                RegisteredDelivery = dataSm.RegisteredDelivery,
                DataCoding = dataSm.DataCoding,
            };
            foreach (var tlv in dataSm.OptionalParameters) deliverSm.OptionalParameters.Add(tlv);
            return deliverSm;
        }

        /// <param name="request">What the SMSC sent (deliver_sm or data_sm), answered in kind.</param>
        private async Task HandleDeliverSmAsync(Connections.SmppConnection connection, SmppRequest request, DeliverSm deliverSm, CancellationToken stopping)
        {
            var received = new ReceivedDeliverSm(deliverSm, Smpp.Receipts.DeliveryReceipt.FromDeliverSm(deliverSm));
            bool taken;
            try
            {
                taken = await owner._deliverSmHandler(received, stopping);
            }
            catch (Exception e)
            {
                Logger.LogWarning(e, "{Operator} deliver_sm handler failed for receipt {OperatorMessageId}; asking the SMSC to redeliver", owner.Name, received.Receipt?.MessageId);
                taken = false;
            }

            // Not sent when the peer is gone; it resends whatever it did not see answered.
            connection.Send(request.CreateResponse(taken ? CommandStatus.Ok : CommandStatus.ReceiverTemporaryError));
        }

        private TimeSpan BackOff(int failures)
        {
            var min = Options.ReconnectMinDelay.TotalMilliseconds;
            var ceiling = Math.Min(Options.ReconnectMaxDelay.TotalMilliseconds, min * Math.Pow(2, Math.Min(failures - 1, 30)));
            // Jitter over the upper half, so binds that fell together do not all come back at the same instant.
            return TimeSpan.FromMilliseconds(Math.Max(min, (ceiling / 2) + (Random.Shared.NextDouble() * ceiling / 2)));
        }

        private void SetState(OperatorBindState state)
        {
            if (Interlocked.Exchange(ref _state, (int)state) != (int)state)
            {
                owner.OnStateChanged();
            }
        }
    }
}
