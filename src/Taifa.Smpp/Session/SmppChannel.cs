using System.IO.Pipelines;
using System.Threading.Channels;
using Taifa.Smpp.Codec;
using Taifa.Smpp.Pdus;

namespace Taifa.Smpp.Session;

/// <summary>
/// One SMPP session over a duplex pipe, either end (server session, operator bind, simulator, test clients): a read
/// loop that decodes frames in order, answers undecodable ones (generic_nack or the request's own response, as
/// <see cref="SmppDecodeError.CreateReply"/> says), hands responses to the request window and every other PDU to its
/// <see cref="ISmppChannelHandler"/>; and a single writer that drains a queue into the pipe, one flush per batch, so
/// responses, requests and keep-alives share the transport without taking turns on a lock. The writer never drops a
/// PDU it took: the queue is bounded by backpressure on the reading instead (<see cref="SmppChannelOptions.MaxQueuedOutbound"/>).
/// Sockets stay outside: the owner supplies the pipe and how to abort the transport under it.
/// </summary>
public sealed class SmppChannel : IDisposable
{
    private readonly IDuplexPipe _transport;
    private readonly Action<Exception?> _abortTransport;
    private readonly ISmppChannelHandler _handler;
    private readonly SmppChannelOptions _options;
    private readonly TimeProvider _time;
    private readonly SmppFrameReader _frames;
    private readonly Channel<Pdu> _outbound = Channel.CreateUnbounded<Pdu>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _closed = new();
    private TaskCompletionSource? _room;
    private long _lastActivity;
    private int _queued;
    private int _closing;
    private int _aborted;

    /// <param name="abortTransport">Closes the transport at once (a socket's dispose, a connection's abort).</param>
    public SmppChannel(IDuplexPipe transport, Action<Exception?> abortTransport, ISmppChannelHandler handler, SmppChannelOptions options, TimeProvider time)
    {
        _transport = transport;
        _abortTransport = abortTransport;
        _handler = handler;
        _options = options;
        _time = time;
        _frames = new SmppFrameReader(options.MaxCommandLength);
        Window = new RequestWindow(options.WindowCapacity, time);
        _lastActivity = time.GetTimestamp();
    }

    public RequestWindow Window { get; }

    public SequenceNumberAllocator Sequence { get; } = new();

    /// <summary>
    /// A channel over a byte stream (a socket's, a TLS stream): aborting disposes the stream, and so does the end of
    /// the session once the pipes over it complete.
    /// </summary>
    public static SmppChannel OverStream(Stream stream, ISmppChannelHandler handler, SmppChannelOptions options, TimeProvider time) =>
        new(new StreamPipe(PipeReader.Create(stream), PipeWriter.Create(stream)), _ => stream.Dispose(), handler, options, time);

    /// <summary>Cancelled once reading has ended or the channel was aborted.</summary>
    public CancellationToken Closed => _closed.Token;

    /// <summary>Set by <see cref="Close"/>, <see cref="Abort"/> or the end of reading: nothing more is queued.</summary>
    public bool IsClosing => Volatile.Read(ref _closing) != 0;

    /// <summary>When the last frame arrived (a <see cref="TimeProvider.GetTimestamp"/>).</summary>
    public long LastActivity => Volatile.Read(ref _lastActivity);

    /// <summary>
    /// Reads until the peer closes, a handler or a fatal frame says stop, or the channel is closed or aborted; then lets
    /// the writer drain (at most <see cref="SmppChannelOptions.DrainTimeout"/>) and completes the pipe. Call it once.
    /// </summary>
    public async Task RunAsync()
    {
        var writer = WriteLoopAsync();
        try
        {
            await ReadLoopAsync();
        }
        catch (Exception exception) when (IsTransportError(exception))
        {
            _handler.OnConnectionLost(exception);
        }
        catch (Exception exception)
        {
            _handler.OnFault(exception);
        }
        finally
        {
            StopQueueing();
            Window.Close();
            await _closed.CancelAsync();
            await _handler.OnReadingEndedAsync();
            var drained = await writer.WaitAsync(_options.DrainTimeout, _time).ContinueWith(static t => t.IsCompletedSuccessfully, TaskScheduler.Default);
            if (!drained) Abort();
            await CompleteQuietlyAsync(_transport.Input.CompleteAsync);
        }
    }

    /// <summary>Queues a PDU for the writer; it keeps whatever sequence number it carries.</summary>
    /// <returns>False when the channel is closing: the PDU will not be written.</returns>
    public bool Send(Pdu pdu)
    {
        Interlocked.Increment(ref _queued);
        if (_outbound.Writer.TryWrite(pdu)) return true;
        Interlocked.Decrement(ref _queued);
        return false;
    }

    /// <summary>
    /// Gives <paramref name="request"/> the next sequence number, enters it in the window and queues it. The task
    /// completes as <see cref="RequestWindow.TryAdd"/> says, or fails with <see cref="ArgumentException"/> when a field
    /// breaks its SMPP limit (nothing of it was written).
    /// </summary>
    /// <returns>False when the window is full; nothing was sent.</returns>
    /// <exception cref="SmppSessionClosedException">The channel is closing or closed.</exception>
    public bool TrySendRequest(SmppRequest request, TimeSpan timeout, out Task<SmppResponse> response)
    {
        request.SequenceNumber = Sequence.Next();
        if (!Window.TryAdd(request, timeout, out response)) return false;
        if (Send(request)) return true;

        // Nothing will answer a request that was not written: its slot is free again at once, not at its timeout.
        var closed = new SmppSessionClosedException($"The session closed before the {request.CommandId} was written.");
        Window.TryFail(request.SequenceNumber, closed);
        _ = response.Exception;
        throw closed;
    }

    /// <summary>Sends <paramref name="request"/> (see <see cref="TrySendRequest"/>) and waits for its answer.</summary>
    /// <returns>The matching response or a generic_nack.</returns>
    /// <exception cref="TimeoutException">No answer within <paramref name="timeout"/>.</exception>
    /// <exception cref="SmppSessionClosedException">The channel closed first.</exception>
    /// <exception cref="InvalidDataException">The answer could not be decoded.</exception>
    /// <exception cref="ArgumentException">A field of <paramref name="request"/> breaks its SMPP limit; nothing was sent.</exception>
    /// <exception cref="InvalidOperationException">The request window is full.</exception>
    public Task<SmppResponse> RequestAsync(SmppRequest request, TimeSpan timeout) =>
        TrySendRequest(request, timeout, out var response)
            ? response
            : throw new InvalidOperationException($"The request window of {Window.Capacity} is full.");

    /// <summary>
    /// Sends enquire_link every <paramref name="interval"/> until the channel closes.
    /// </summary>
    /// <returns>False when one went unanswered for <paramref name="timeout"/>: the link is dead and has been aborted.</returns>
    public async Task<bool> KeepAliveAsync(TimeSpan interval, TimeSpan timeout)
    {
        while (!Closed.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, _time, Closed);
                await RequestAsync(new EnquireLink(), timeout);
            }
            catch (OperationCanceledException)
            {
                return true;
            }
            catch (TimeoutException exception)
            {
                Abort(exception);
                return false;
            }
            catch (Exception exception) when (exception is SmppSessionClosedException or InvalidOperationException or InvalidDataException)
            {
                return true;
            }
        }

        return true;
    }

    /// <summary>Ends the session once what is queued has been written; nothing more is queued or read.</summary>
    public void Close()
    {
        StopQueueing();
        _transport.Input.CancelPendingRead();
    }

    /// <summary>Closes the transport at once and fails every request still waiting. Safe to call more than once.</summary>
    public void Abort(Exception? reason = null)
    {
        if (Interlocked.Exchange(ref _aborted, 1) == 1) return;
        StopQueueing();
        Window.Close(reason is null ? null : new SmppSessionClosedException("The connection was lost.", reason));
        _closed.Cancel();
        _abortTransport(reason);
        _transport.Input.CancelPendingRead();
    }

    /// <summary>
    /// Aborts. The cancellation source is left to the collector: senders may still be reading its token, and it holds
    /// nothing unmanaged once cancelled.
    /// </summary>
    public void Dispose() => Abort();

    private static bool IsTransportError(Exception exception) =>
        exception is IOException or ObjectDisposedException or OperationCanceledException or InvalidOperationException;

    /// <summary>
    /// Completing a pipe over a transport that is gone may fail (an aborted flush still buffered): the session is over
    /// either way.
    /// </summary>
    private static async Task CompleteQuietlyAsync(Func<Exception?, ValueTask> complete)
    {
        try
        {
            await complete(null);
        }
        catch (Exception exception) when (IsTransportError(exception))
        {
        }
    }

    private void StopQueueing()
    {
        Volatile.Write(ref _closing, 1);
        _outbound.Writer.TryComplete();
    }

    private async Task ReadLoopAsync()
    {
        var input = _transport.Input;
        while (true)
        {
            var result = await input.ReadAsync();
            var buffer = result.Buffer;
            var stop = false;
            try
            {
                while (!stop && _frames.TryRead(ref buffer, out var pdu, out var error))
                {
                    Volatile.Write(ref _lastActivity, _time.GetTimestamp());
                    if (Volatile.Read(ref _queued) >= _options.MaxQueuedOutbound && !await WaitForRoomAsync())
                    {
                        _handler.OnPeerNotReading();
                        Abort(new IOException("The SMPP peer stopped reading its responses."));
                        return;
                    }

                    stop = error is not null ? OnDecodeError(error) : await OnPduAsync(pdu!);
                }
            }
            finally
            {
                input.AdvanceTo(buffer.Start, buffer.End);
            }

            if (stop || result.IsCompleted || result.IsCanceled || IsClosing) return;
        }
    }

    /// <returns>True to stop reading.</returns>
    private bool OnDecodeError(SmppDecodeError error)
    {
        _handler.OnDecodeError(error);
        if (error.CreateReply() is { } reply) Send(reply);
        else Window.TryFail(error.SequenceNumber, new InvalidDataException(error.ToString()));
        return error.IsFatal;
    }

    /// <returns>True to stop reading.</returns>
    private ValueTask<bool> OnPduAsync(Pdu pdu)
    {
        if (pdu.IgnoredTrailingOctets > 0) _handler.OnIgnoredTrailingOctets(pdu);
        if (pdu is not SmppResponse response) return _handler.OnIncomingAsync(pdu);
        if (!Window.TryComplete(response)) _handler.OnUnexpectedResponse(response);
        return ValueTask.FromResult(false);
    }

    /// <returns>False when no room came within <see cref="SmppChannelOptions.WriteStallTimeout"/>.</returns>
    private async Task<bool> WaitForRoomAsync()
    {
        var room = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Interlocked.Exchange(ref _room, room);
        if (Volatile.Read(ref _queued) < _options.MaxQueuedOutbound) return true;
        try
        {
            await room.Task.WaitAsync(_options.WriteStallTimeout, _time);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private async Task WriteLoopAsync()
    {
        var output = _transport.Output;
        var reader = _outbound.Reader;
        try
        {
            while (await reader.WaitToReadAsync())
            {
                while (reader.TryRead(out var pdu))
                {
                    Interlocked.Decrement(ref _queued);
                    Write(pdu, output);
                }

                if (Volatile.Read(ref _room) is not null && Volatile.Read(ref _queued) < _options.MaxQueuedOutbound)
                {
                    Interlocked.Exchange(ref _room, null)?.TrySetResult();
                }

                var flush = await output.FlushAsync();
                if (flush.IsCompleted || flush.IsCanceled) break;
            }
        }
        catch (Exception exception) when (IsTransportError(exception))
        {
            _handler.OnConnectionLost(exception);
        }
        finally
        {
            StopQueueing();
            await CompleteQuietlyAsync(output.CompleteAsync);

            // The peer may still be sending: stop reading too, so the session ends.
            _transport.Input.CancelPendingRead();
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
            _handler.OnUnwritable(pdu, exception);
            if (pdu is SmppRequest) Window.TryFail(pdu.SequenceNumber, exception);
        }
    }

    private sealed record StreamPipe(PipeReader Input, PipeWriter Output) : IDuplexPipe;
}
