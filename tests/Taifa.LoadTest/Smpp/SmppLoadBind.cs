using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using Taifa.LoadTest.Reporting;
using Taifa.LoadTest.Workload;
using Taifa.Smpp.Codec;
using Taifa.Smpp.Pdus;

namespace Taifa.LoadTest.Smpp;

/// <summary>
/// One transmitter bind that keeps up to <c>window</c> submit_sm outstanding. The sender copies pre-encoded frames
/// into one buffer per batch (as many as the window has room for) and writes it with a single send; the receiver
/// decodes whole reads of responses, matches each to its request by sequence number and frees its window slot.
/// Latency is from the send of the batch carrying the request to the arrival of the read carrying its response.
/// </summary>
public sealed class SmppLoadBind : IAsyncDisposable
{
    private const int MaxBatch = 256;
    private static readonly TimeSpan ResponseTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(30);

    private readonly Socket _socket;
    private readonly SemaphoreSlim _slots;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly Lock _pendingLock = new();
    private readonly Dictionary<uint, long> _pending;
    private readonly TaskCompletionSource<BindResponse> _bound = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _unbound = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly decimal _price;
    private uint _sequence;
    private Task? _receiving;
    private LoadRun? _run;

    private SmppLoadBind(Socket socket, int window, decimal price)
    {
        _socket = socket;
        _price = price;
        _slots = new SemaphoreSlim(window, window);
        _pending = new Dictionary<uint, long>(window * 2);
    }

    /// <summary>Connects and binds as a transmitter; throws <see cref="InvalidOperationException"/> when the bind is refused.</summary>
    public static async Task<SmppLoadBind> BindAsync(string host, int port, string systemId, string password, int window, decimal price, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(host, port, cancellationToken);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var bind = new SmppLoadBind(socket, window, price);
        bind._receiving = Task.Run(bind.ReceiveLoop, CancellationToken.None);
        var request = new BindTransmitter { SystemId = systemId, Password = password, InterfaceVersion = InterfaceVersion.V34, SequenceNumber = bind.NextSequence() };
        await bind.SendControlAsync(request);
        var response = await bind._bound.Task.WaitAsync(ResponseTimeout, cancellationToken);
        if (response.CommandStatus != CommandStatus.Ok)
        {
            await bind.DisposeAsync();
            throw new InvalidOperationException($"bind_transmitter as {systemId} refused: {StatusKey(response.CommandStatus)}");
        }

        return bind;
    }

    /// <summary>Submits until the run is over, then waits for the outstanding responses and unbinds.</summary>
    public async Task RunAsync(LoadRun run, SubmitSmFrames frames, CancellationToken cancellationToken)
    {
        Volatile.Write(ref _run, run);
        var buffer = new byte[MaxBatch * 512];
        try
        {
            while ((!run.IsOver || frames.InsideMessage) && !cancellationToken.IsCancellationRequested)
            {
                await _slots.WaitAsync(cancellationToken);
                var taken = 1;
                while (taken < MaxBatch && _slots.Wait(0, CancellationToken.None)) taken++;

                var length = 0;
                var sentAt = Stopwatch.GetTimestamp();
                lock (_pendingLock)
                {
                    for (var i = 0; i < taken; i++)
                    {
                        var frame = frames.Next();
                        if (length + frame.Length > buffer.Length) Array.Resize(ref buffer, buffer.Length * 2);
                        frame.CopyTo(buffer.AsSpan(length));
                        var sequence = NextSequence();
                        BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(length + SubmitSmFrames.SequenceOffset), sequence);
                        _pending.Add(sequence, sentAt);
                        length += frame.Length;
                    }
                }

                await SendAsync(buffer.AsMemory(0, length));
            }
        }
        catch (Exception exception) when (exception is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            run.RecordTransportError(exception);
        }

        await DrainAndUnbindAsync(run);
    }

    public async ValueTask DisposeAsync()
    {
        _socket.Dispose();
        if (_receiving is not null) await _receiving.ContinueWith(static _ => { }, TaskScheduler.Default);
        _slots.Dispose();
        _sendLock.Dispose();
    }

    private async Task DrainAndUnbindAsync(LoadRun run)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(DrainTimeout.TotalSeconds * Stopwatch.Frequency);
        while (PendingCount() > 0 && Stopwatch.GetTimestamp() < deadline && !_receiving!.IsCompleted)
        {
            await Task.Delay(10);
        }

        var unanswered = PendingCount();
        for (var i = 0; i < unanswered; i++) run.RecordTransportError(new TimeoutException("no submit_sm_resp"));
        lock (_pendingLock) _pending.Clear();

        try
        {
            await SendControlAsync(new Unbind { SequenceNumber = NextSequence() });
            await _unbound.Task.WaitAsync(ResponseTimeout);
        }
        catch (Exception exception) when (exception is SocketException or ObjectDisposedException or TimeoutException)
        {
            // The counts are complete; an unbind that goes unanswered changes nothing measured.
        }
    }

    private int PendingCount()
    {
        lock (_pendingLock) return _pending.Count;
    }

    private async Task ReceiveLoop()
    {
        var buffer = new byte[256 * 1024];
        var filled = 0;
        try
        {
            while (true)
            {
                var read = await _socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None);
                if (read == 0) break;
                filled += read;
                var arrivedAt = Stopwatch.GetTimestamp();
                var sequence = new ReadOnlySequence<byte>(buffer, 0, filled);
                var freed = 0;
                while (SmppFrameReader.Default.TryRead(ref sequence, out var pdu, out var error))
                {
                    if (error is not null) throw new InvalidDataException($"undecodable PDU from the gateway: {error}");
                    freed += await OnPdu(pdu!, arrivedAt);
                }

                if (freed > 0) _slots.Release(freed);
                var consumed = filled - (int)sequence.Length;
                buffer.AsSpan(consumed, filled - consumed).CopyTo(buffer);
                filled -= consumed;
                if (filled == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2);
            }
        }
        catch (Exception exception) when (exception is SocketException or ObjectDisposedException or InvalidDataException)
        {
            _bound.TrySetException(exception);
        }
        finally
        {
            _bound.TrySetException(new InvalidOperationException("the gateway closed the connection before answering the bind"));
            _unbound.TrySetResult();
        }
    }

    /// <returns>How many window slots the PDU frees.</returns>
    private async ValueTask<int> OnPdu(Pdu pdu, long arrivedAt)
    {
        switch (pdu)
        {
            case SubmitSmResp or GenericNack:
                long sentAt;
                lock (_pendingLock)
                {
                    if (!_pending.Remove(pdu.SequenceNumber, out sentAt)) return 0;
                }

                var accepted = pdu.CommandStatus == CommandStatus.Ok;
                var messageId = accepted && pdu is SubmitSmResp { MessageId: var id } && long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? parsed : 0;
                Volatile.Read(ref _run)!.RecordSubmitResp(sentAt, arrivedAt, StatusKey(pdu.CommandStatus), accepted, messageId, accepted ? _price : 0m);
                return 1;
            case BindResponse bound:
                _bound.TrySetResult(bound);
                return 0;
            case UnbindResp:
                _unbound.TrySetResult();
                return 0;
            case EnquireLink or Unbind:
                await SendControlAsync(((SmppRequest)pdu).CreateResponse());
                return 0;
            default:
                return 0;
        }
    }

    private uint NextSequence()
    {
        // 1..0x7FFFFFFF, wrapping to 1 (§3.2); only the sender and the bind/unbind steps allocate, never at once.
        _sequence = _sequence >= 0x7FFFFFFF ? 1 : _sequence + 1;
        return _sequence;
    }

    private Task SendControlAsync(Pdu pdu) => SendAsync(SmppPduWriter.ToArray(pdu));

    /// <summary>One writer at a time: control PDUs from the receiver share the socket with the submit batches.</summary>
    private async Task SendAsync(ReadOnlyMemory<byte> bytes)
    {
        await _sendLock.WaitAsync();
        try
        {
            while (!bytes.IsEmpty)
            {
                var sent = await _socket.SendAsync(bytes, SocketFlags.None);
                bytes = bytes[sent..];
            }
        }
        finally
        {
            _sendLock.Release();
        }
    }

    internal static string StatusKey(CommandStatus status) => $"0x{(uint)status:X8} {status}";
}
