using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Taifa.Smpp.Codec;
using Taifa.Smpp.Pdus;
using Taifa.Smpp.Session;

namespace Taifa.Cluster.Tests.Infrastructure;

/// <summary>
/// A customer's SMPP session built on our codec, as an ESME would run it: a reader answers the server's
/// deliver_sm, enquire_link and unbind as they come and matches responses to requests by sequence number, so
/// receipts can arrive while submits are outstanding.
/// </summary>
public sealed class SmppCustomer : IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private readonly Socket _socket;
    private readonly PipeReader _input;
    private readonly SequenceNumberAllocator _sequence = new();
    private readonly SemaphoreSlim _writing = new(1, 1);
    private readonly ConcurrentDictionary<uint, TaskCompletionSource<SmppResponse>> _waiting = new();
    private readonly ConcurrentQueue<DeliverSm> _receipts = new();
    private readonly TaskCompletionSource _unbindReceived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Action<DeliverSm>? _onReceipt;
    private readonly Task _reading;

    private SmppCustomer(Socket socket, Action<DeliverSm>? onReceipt)
    {
        _socket = socket;
        _onReceipt = onReceipt;
        _input = PipeReader.Create(new NetworkStream(socket, ownsSocket: false));
        _reading = Task.Run(ReadLoopAsync);
    }

    /// <summary>Completes when the server sends unbind (answered at once).</summary>
    public Task UnbindReceived => _unbindReceived.Task;

    /// <summary>Completes when the server closes the connection.</summary>
    public Task Closed => _closed.Task;

    /// <summary>Receipts (deliver_sm) received so far, each already answered ESME_ROK.</summary>
    public IReadOnlyList<DeliverSm> Receipts => [.. _receipts];

    /// <param name="onReceipt">Called on the reading task for each receipt as it arrives (receipts held for the
    /// account may come the moment the bind is answered), before it is answered.</param>
    public static async Task<SmppCustomer> BindAsync(SiloProcess silo, string systemId, string password, CommandId bind = CommandId.BindTransceiver,
        Action<DeliverSm>? onReceipt = null)
    {
        var (status, customer) = await TryBindAsync(silo, systemId, password, bind, onReceipt);
        Assert.True(customer is not null, $"{bind} on silo {silo.Name} answered {status}");
        return customer;
    }

    /// <summary>Binds and returns the answer's status, with the bound session only if it was ESME_ROK.</summary>
    public static async Task<(CommandStatus Status, SmppCustomer? Customer)> TryBindAsync(SiloProcess silo, string systemId, string password,
        CommandId bind = CommandId.BindTransceiver, Action<DeliverSm>? onReceipt = null)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(IPAddress.Loopback, silo.SmppPort);
        var customer = new SmppCustomer(socket, onReceipt);
        BindRequest request = bind switch
        {
            CommandId.BindTransmitter => new BindTransmitter(),
            CommandId.BindReceiver => new BindReceiver(),
            _ => new BindTransceiver(),
        };
        request.SystemId = systemId;
        request.Password = password;
        try
        {
            var response = await customer.RequestAsync(request);
            if (response.CommandStatus == CommandStatus.Ok) return (response.CommandStatus, customer);
            await customer.DisposeAsync();
            return (response.CommandStatus, null);
        }
        catch
        {
            await customer.DisposeAsync();
            throw;
        }
    }

    public static SubmitSm Submit(string sender, string destination, string text, bool receipt = true) => new()
    {
        Source = SmppAddress.Alphanumeric(sender),
        Destination = SmppAddress.International(destination),
        DataCoding = DataCoding.SmscDefault,
        ShortMessage = Encoding.ASCII.GetBytes(text),
        RegisteredDelivery = receipt ? RegisteredDelivery.SmscReceiptOnSuccessOrFailure : RegisteredDelivery.None,
    };

    /// <summary>Submits and returns the gateway's answer, whatever its status.</summary>
    public async Task<SubmitSmResp> SubmitAsync(SubmitSm submit) => (SubmitSmResp)await RequestAsync(submit);

    /// <summary>Submits and returns the gateway's message id; fails on any status but ESME_ROK.</summary>
    public async Task<string> SubmitAcceptedAsync(SubmitSm submit)
    {
        var response = await RequestAsync(submit);
        Assert.True(response.CommandStatus == CommandStatus.Ok, $"submit_sm answered {response.CommandStatus}");
        return ((SubmitSmResp)response).MessageId;
    }

    /// <summary>Sends unbind and waits for unbind_resp.</summary>
    public async Task UnbindAsync() => await RequestAsync(new Unbind());

    /// <summary>Waits until a receipt whose text carries <c>id:&lt;messageId&gt;</c> has arrived, and returns it.</summary>
    public async Task<DeliverSm> WaitForReceiptAsync(string messageId, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var found = _receipts.FirstOrDefault(r => ReceiptText(r).Contains($"id:{messageId} ", StringComparison.Ordinal));
            if (found is not null) return found;
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"no receipt with id:{messageId} within {timeout}; {_receipts.Count} receipt(s) arrived: " +
                                           string.Join(" | ", _receipts.Take(5).Select(ReceiptText)));
            }

            await Task.Delay(50);
        }
    }

    public static string ReceiptText(DeliverSm receipt) => Encoding.ASCII.GetString(receipt.ShortMessage.Span);

    public async ValueTask DisposeAsync()
    {
        _socket.Dispose();
        await _reading;
        await _input.CompleteAsync();
        _writing.Dispose();
    }

    private async Task<SmppResponse> RequestAsync(SmppRequest request)
    {
        request.SequenceNumber = _sequence.Next();
        var answer = new TaskCompletionSource<SmppResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiting[request.SequenceNumber] = answer;
        await WriteAsync(request);
        var finished = await Task.WhenAny(answer.Task, _closed.Task, Task.Delay(Patience));

        // An answer followed at once by the close (unbind_resp) completes both; their continuations run in either order.
        if (answer.Task.IsCompleted) return await answer.Task;
        _waiting.TryRemove(request.SequenceNumber, out _);
        throw new TimeoutException(finished == _closed.Task
            ? $"the server closed the connection before answering {request}"
            : $"no answer to {request} within {Patience}");
    }

    private async Task WriteAsync(Pdu pdu)
    {
        await _writing.WaitAsync();
        try
        {
            await _socket.SendAsync(SmppPduWriter.ToArray(pdu), SocketFlags.None);
        }
        finally
        {
            _writing.Release();
        }
    }

    private async Task ReadLoopAsync()
    {
        try
        {
            while (true)
            {
                var result = await _input.ReadAsync();
                var buffer = result.Buffer;
                while (SmppFrameReader.Default.TryRead(ref buffer, out var pdu, out var error))
                {
                    if (error is not null) throw new InvalidDataException($"the server sent a PDU we cannot decode: {error}");
                    await HandleAsync(pdu!);
                }

                _input.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted) break;
            }
        }
        catch (Exception exception) when (exception is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            // The connection closed under us (the silo died, drained, or we disposed): that is what Closed reports.
        }
        finally
        {
            _closed.TrySetResult();
        }
    }

    private async Task HandleAsync(Pdu pdu)
    {
        switch (pdu)
        {
            case SmppResponse response:
                if (_waiting.TryRemove(response.SequenceNumber, out var waiter)) waiter.TrySetResult(response);
                break;
            case DeliverSm deliver:
                _receipts.Enqueue(deliver);
                _onReceipt?.Invoke(deliver);
                await WriteAsync(deliver.CreateResponse());
                break;
            case Unbind unbind:
                _unbindReceived.TrySetResult();
                await WriteAsync(unbind.CreateResponse());
                break;
            case SmppRequest other:
                await WriteAsync(other.CreateResponse());
                break;
        }
    }
}
