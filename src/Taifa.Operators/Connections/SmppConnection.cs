using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Taifa.Smpp.Codec;
using Taifa.Smpp.Pdus;
using Taifa.Smpp.Session;

namespace Taifa.Operators.Connections;

/// <summary>
/// One SMPP session over a socket, either end: a read loop that hands responses to the request window and everything
/// else to the owner, and a single writer (responses, requests and keep-alives share the socket, so writes take turns).
/// Used by <see cref="Client.OperatorBind"/> and <see cref="Simulator.SmscSimulator"/>.
/// </summary>
internal sealed class SmppConnection : IDisposable
{
    private readonly Socket _socket;
    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly CancellationTokenSource _closed = new();
    private readonly ILogger _logger;
    private int _aborted;

    /// <param name="windowCapacity">How many requests this end may have unanswered at once.</param>
    public SmppConnection(Socket socket, int windowCapacity, TimeProvider timeProvider, ILogger logger)
    {
        _socket = socket;
        var stream = new NetworkStream(socket, ownsSocket: true);
        _input = PipeReader.Create(stream);
        _output = PipeWriter.Create(stream);
        _logger = logger;
        Window = new RequestWindow(windowCapacity, timeProvider);
        RemoteEndPoint = socket.RemoteEndPoint?.ToString() ?? "unknown";
    }

    public string RemoteEndPoint { get; }

    public RequestWindow Window { get; }

    public SequenceNumberAllocator Sequence { get; } = new();

    /// <summary>Cancelled once the connection is closed, by either side.</summary>
    public CancellationToken Closed => _closed.Token;

    /// <summary>
    /// Reads until the peer closes the socket, <see cref="Abort"/> is called or a frame is fatally malformed; then
    /// closes the connection and releases its buffers. Call it once. <paramref name="onIncoming"/> gets every request and every PDU that has no response, in
    /// order; reading waits while it runs, so a handler that should not hold up the session must not await long.
    /// </summary>
    public async Task RunAsync(Func<Pdu, ValueTask> onIncoming)
    {
        Exception? reason = null;
        try
        {
            while (true)
            {
                var result = await _input.ReadAsync(Closed);
                var buffer = result.Buffer;
                var fatal = false;
                try
                {
                    while (!fatal && SmppFrameReader.Default.TryRead(ref buffer, out var pdu, out var error))
                    {
                        if (error is not null)
                        {
                            fatal = await HandleDecodeErrorAsync(error);
                        }
                        else if (pdu is SmppResponse response)
                        {
                            if (!Window.TryComplete(response))
                            {
                                _logger.LogDebug("Unexpected {CommandId} seq={SequenceNumber} from {RemoteEndPoint}: nothing waits for it", response.CommandId, response.SequenceNumber, RemoteEndPoint);
                            }
                        }
                        else
                        {
                            await onIncoming(pdu!);
                        }
                    }
                }
                finally
                {
                    _input.AdvanceTo(buffer.Start, buffer.End);
                }

                if (fatal || result.IsCompleted)
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (Closed.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            reason = e;
            _logger.LogDebug(e, "Connection to {RemoteEndPoint} failed", RemoteEndPoint);
        }
        catch (Exception e)
        {
            // A handler that failed, or a reply that could not be written to a session closing under it: either way
            // this session is over, and the owner's loop (reconnecting, accepting) must go on.
            reason = e;
            _logger.LogWarning(e, "Session with {RemoteEndPoint} ended by an error", RemoteEndPoint);
        }
        finally
        {
            Abort(reason);
            await ReleaseBuffersAsync();
        }
    }

    /// <summary>Writes one PDU, waiting for any other write to finish first.</summary>
    /// <exception cref="SmppSessionClosedException">The connection closed before or while writing.</exception>
    public async ValueTask SendAsync(Pdu pdu)
    {
        try
        {
            await _writeLock.WaitAsync(Closed);
            try
            {
                Closed.ThrowIfCancellationRequested();
                SmppPduWriter.Write(pdu, _output);
                await _output.FlushAsync(Closed);
            }
            finally
            {
                _writeLock.Release();
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            Abort(e);
            throw new SmppSessionClosedException($"The connection to {RemoteEndPoint} closed before the {pdu.CommandId} was written.", e);
        }
    }

    /// <summary>Gives <paramref name="request"/> the next sequence number, sends it and waits for its answer.</summary>
    /// <returns>The matching response or a generic_nack.</returns>
    /// <exception cref="TimeoutException">No answer within <paramref name="timeout"/>.</exception>
    /// <exception cref="SmppSessionClosedException">The connection closed first.</exception>
    /// <exception cref="InvalidDataException">The answer could not be decoded.</exception>
    /// <exception cref="ArgumentException">A field of <paramref name="request"/> breaks its SMPP limit; nothing was sent.</exception>
    public async Task<SmppResponse> RequestAsync(SmppRequest request, TimeSpan timeout)
    {
        request.SequenceNumber = Sequence.Next();
        if (!Window.TryAdd(request, timeout, out var response))
        {
            throw new InvalidOperationException($"The request window of {Window.Capacity} towards {RemoteEndPoint} is full.");
        }

        try
        {
            await SendAsync(request);
        }
        catch (Exception e)
        {
            // Nothing will answer a request that was not written: its slot is free again at once, not at its timeout.
            Window.TryFail(request.SequenceNumber, e);
            _ = response.Exception;
            throw;
        }

        return await response;
    }

    /// <summary>Closes the socket at once and fails every request still waiting. Safe to call more than once.</summary>
    public void Abort(Exception? reason = null)
    {
        if (Interlocked.Exchange(ref _aborted, 1) == 1)
        {
            return;
        }

        _closed.Cancel();
        Window.Close(reason is null ? null : new SmppSessionClosedException($"The connection to {RemoteEndPoint} was lost.", reason));
        _socket.Dispose();
    }

    /// <summary>
    /// Aborts. The write lock and the cancellation source are left to the collector: senders may still be touching
    /// them, and neither holds anything unmanaged once cancelled.
    /// </summary>
    public void Dispose() => Abort();

    /// <summary>
    /// Completes both pipes. The socket is gone by now, so a write still buffered (an aborted flush) can only fail,
    /// and so may completing the reader: neither is worth more than a debug line.
    /// </summary>
    private async Task ReleaseBuffersAsync()
    {
        try
        {
            await _input.CompleteAsync();
        }
        catch (Exception e)
        {
            _logger.LogDebug(e, "Releasing the read buffers of {RemoteEndPoint} failed", RemoteEndPoint);
        }

        await _writeLock.WaitAsync();
        try
        {
            await _output.CompleteAsync();
        }
        catch (Exception e)
        {
            _logger.LogDebug(e, "Unwritten output to {RemoteEndPoint} dropped", RemoteEndPoint);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <returns>Whether the connection must close.</returns>
    private async ValueTask<bool> HandleDecodeErrorAsync(SmppDecodeError error)
    {
        _logger.LogWarning("Undecodable frame from {RemoteEndPoint}: {DecodeError}", RemoteEndPoint, error.ToString());
        if (error.CreateReply() is { } reply)
        {
            await SendAsync(reply);
        }
        else
        {
            Window.TryFail(error.SequenceNumber, new InvalidDataException(error.ToString()));
        }

        return error.IsFatal;
    }
}
