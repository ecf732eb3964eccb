using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Taifa.Smpp.Pdus;
using Taifa.Smpp.Session;

namespace Taifa.Cluster.Tests.Infrastructure;

/// <summary>
/// A customer's SMPP session on our <see cref="SmppChannel"/>, as an ESME would run it: the channel matches responses to
/// requests by sequence number while this answers the server's deliver_sm, enquire_link and unbind as they come, so
/// receipts can arrive while submits are outstanding.
/// </summary>
public sealed class SmppCustomer : ISmppChannelHandler, IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private readonly SmppChannel _channel;
    private readonly ConcurrentQueue<DeliverSm> _receipts = new();
    private readonly TaskCompletionSource _unbindReceived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Action<DeliverSm>? _onReceipt;
    private readonly Task _running;

    private SmppCustomer(Socket socket, Action<DeliverSm>? onReceipt)
    {
        _onReceipt = onReceipt;
        _channel = SmppChannel.OverStream(new NetworkStream(socket, ownsSocket: true), this, new SmppChannelOptions(), TimeProvider.System);
        _running = Task.Run(RunAsync);
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
        _channel.Abort();
        await _running;
    }

    /// <summary>Answered at once, on the reading task; receipts are kept.</summary>
    ValueTask<bool> ISmppChannelHandler.OnIncomingAsync(Pdu pdu)
    {
        switch (pdu)
        {
            case DeliverSm deliver:
                _receipts.Enqueue(deliver);
                _onReceipt?.Invoke(deliver);
                _channel.Send(deliver.CreateResponse());
                break;
            case Unbind unbind:
                _unbindReceived.TrySetResult();
                _channel.Send(unbind.CreateResponse());
                break;
            case SmppRequest other:
                _channel.Send(other.CreateResponse());
                break;
        }

        return ValueTask.FromResult(false);
    }

    /// <summary>The connection closed under us (the silo died, drained, or we disposed): that is what Closed reports.</summary>
    private async Task RunAsync()
    {
        try
        {
            await _channel.RunAsync();
        }
        finally
        {
            _closed.TrySetResult();
        }
    }

    private async Task<SmppResponse> RequestAsync(SmppRequest request)
    {
        try
        {
            return await _channel.RequestAsync(request, Patience);
        }
        catch (SmppSessionClosedException)
        {
            throw new TimeoutException($"the server closed the connection before answering {request}");
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"no answer to {request} within {Patience}");
        }
    }
}
