using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Taifa.Smpp.Codec;
using Taifa.Smpp.Pdus;
using Taifa.Smpp.Session;

namespace Taifa.Operators.Connections;

/// <summary>
/// One SMPP session over a TCP socket, either end, as <see cref="Client.OperatorBind"/> and
/// <see cref="Simulator.SmscSimulator"/> run it: a <see cref="SmppChannel"/> over the socket's stream, with their log lines.
/// </summary>
internal sealed class SmppConnection : ISmppChannelHandler, IDisposable
{
    private readonly SmppChannel _channel;
    private readonly ILogger _logger;
    private Func<Pdu, ValueTask<bool>> _onIncoming = static _ => ValueTask.FromResult(false);

    /// <param name="windowCapacity">How many requests this end may have unanswered at once.</param>
    public SmppConnection(Socket socket, int windowCapacity, TimeProvider timeProvider, ILogger logger)
    {
        _logger = logger;
        RemoteEndPoint = socket.RemoteEndPoint?.ToString() ?? "unknown";
        _channel = SmppChannel.OverStream(new NetworkStream(socket, ownsSocket: true), this, new SmppChannelOptions { WindowCapacity = windowCapacity }, timeProvider);
    }

    public string RemoteEndPoint { get; }

    public RequestWindow Window => _channel.Window;

    /// <summary>Cancelled once the connection is closed, by either side.</summary>
    public CancellationToken Closed => _channel.Closed;

    /// <summary>
    /// Reads until the peer closes the socket, <see cref="Abort"/> is called, a frame is fatally malformed or
    /// <paramref name="onIncoming"/> returns true; then writes what is queued and closes. Call it once.
    /// <paramref name="onIncoming"/> gets every request and every PDU that has no response, in order; reading waits
    /// while it runs, so a handler that should not hold up the session must not await long.
    /// </summary>
    public Task RunAsync(Func<Pdu, ValueTask<bool>> onIncoming)
    {
        _onIncoming = onIncoming;
        return _channel.RunAsync();
    }

    /// <inheritdoc cref="SmppChannel.Send"/>
    public bool Send(Pdu pdu) => _channel.Send(pdu);

    /// <inheritdoc cref="SmppChannel.RequestAsync"/>
    public Task<SmppResponse> RequestAsync(SmppRequest request, TimeSpan timeout) => _channel.RequestAsync(request, timeout);

    /// <inheritdoc cref="SmppChannel.KeepAliveAsync"/>
    public Task<bool> KeepAliveAsync(TimeSpan interval, TimeSpan timeout) => _channel.KeepAliveAsync(interval, timeout);

    /// <summary>Closes the socket at once and fails every request still waiting. Safe to call more than once.</summary>
    public void Abort(Exception? reason = null) => _channel.Abort(reason);

    public void Dispose() => _channel.Dispose();

    ValueTask<bool> ISmppChannelHandler.OnIncomingAsync(Pdu pdu) => _onIncoming(pdu);

    void ISmppChannelHandler.OnDecodeError(SmppDecodeError error) =>
        _logger.LogWarning("Undecodable frame from {RemoteEndPoint}: {DecodeError}", RemoteEndPoint, error.ToString());

    void ISmppChannelHandler.OnUnexpectedResponse(SmppResponse response) =>
        _logger.LogDebug("Unexpected {CommandId} seq={SequenceNumber} from {RemoteEndPoint}: nothing waits for it", response.CommandId, response.SequenceNumber, RemoteEndPoint);

    void ISmppChannelHandler.OnConnectionLost(Exception error) =>
        _logger.LogDebug(error, "Connection to {RemoteEndPoint} failed", RemoteEndPoint);

    // A handler that failed: this session is over, and the owner's loop (reconnecting, accepting) must go on.
    void ISmppChannelHandler.OnFault(Exception error) =>
        _logger.LogWarning(error, "Session with {RemoteEndPoint} ended by an error", RemoteEndPoint);

    void ISmppChannelHandler.OnUnwritable(Pdu pdu, ArgumentException error) =>
        _logger.LogDebug("{CommandId} seq={SequenceNumber} to {RemoteEndPoint} not written: {Error}", pdu.CommandId, pdu.SequenceNumber, RemoteEndPoint, error.Message);
}
