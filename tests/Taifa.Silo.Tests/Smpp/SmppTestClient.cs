using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Taifa.Smpp.Codec;
using Taifa.Smpp.Pdus;
using Taifa.Smpp.Session;

namespace Taifa.Silo.Tests.Smpp;

/// <summary>
/// A bare SMPP client over a real socket, built on our codec, that lets a test send anything and read what comes back.
/// Deliberately not a session (not on <see cref="SmppChannel"/>): it answers nothing by itself, sends malformed bytes,
/// half-closes, and reads from the socket only when the test asks, so a test can play a client that stops reading.
/// </summary>
public sealed class SmppTestClient : IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly Socket _socket;
    private readonly SslStream? _tls;
    private readonly PipeReader _input;
    private readonly SequenceNumberAllocator _sequence = new();

    private SmppTestClient(Socket socket, SslStream? tls = null)
    {
        _socket = socket;
        _tls = tls;
        _input = PipeReader.Create(tls ?? (Stream)new NetworkStream(socket, ownsSocket: false));
    }

    /// <param name="from">A local address to connect from (any of 127.0.0.0/8 on Linux), so a test can be several clients.</param>
    public static async Task<SmppTestClient> ConnectAsync(int port, IPAddress? from = null)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        if (from is not null) socket.Bind(new IPEndPoint(from, 0));
        await socket.ConnectAsync(IPAddress.Loopback, port);
        return new SmppTestClient(socket);
    }

    /// <summary>SMPP over TLS, trusting only <paramref name="serverCertificate"/>.</summary>
    public static async Task<SmppTestClient> ConnectTlsAsync(int port, X509Certificate2 serverCertificate)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(IPAddress.Loopback, port);
        var tls = new SslStream(new NetworkStream(socket, ownsSocket: false), leaveInnerStreamOpen: false,
            (_, certificate, _, _) => certificate is not null && certificate.GetRawCertData().AsSpan().SequenceEqual(serverCertificate.RawData));
        await tls.AuthenticateAsClientAsync("localhost");
        return new SmppTestClient(socket, tls);
    }

    public uint NextSequence() => _sequence.Next();

    /// <summary>Sends the PDU, giving it the next sequence number unless it has one.</summary>
    public async Task<uint> SendAsync(Pdu pdu)
    {
        if (pdu.SequenceNumber == 0) pdu.SequenceNumber = _sequence.Next();
        await SendRawAsync(SmppPduWriter.ToArray(pdu));
        return pdu.SequenceNumber;
    }

    public async Task SendRawAsync(byte[] bytes)
    {
        if (_tls is null)
        {
            await _socket.SendAsync(bytes, SocketFlags.None);
            return;
        }

        await _tls.WriteAsync(bytes);
        await _tls.FlushAsync();
    }

    /// <summary>The next PDU from the server; fails the test when none arrives in time or the server closed.</summary>
    public async Task<Pdu> ReadAsync(TimeSpan? timeout = null)
    {
        var pdu = await TryReadAsync(timeout ?? Patience);
        Assert.True(pdu is not null, "the server closed the connection while a PDU was expected");
        return pdu;
    }

    public async Task<T> ReadAsync<T>(TimeSpan? timeout = null)
        where T : Pdu
    {
        var pdu = await ReadAsync(timeout);
        return Assert.IsAssignableFrom<T>(pdu);
    }

    /// <returns>The next PDU, or null once the server has closed the connection.</returns>
    public async Task<Pdu?> TryReadAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        while (true)
        {
            ReadResult result;
            try
            {
                result = await _input.ReadAsync(cancel.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"no PDU from the server within {timeout}");
            }
            catch (IOException)
            {
                return null;
            }

            var buffer = result.Buffer;
            if (SmppFrameReader.Default.TryRead(ref buffer, out var pdu, out var error))
            {
                _input.AdvanceTo(buffer.Start);
                Assert.True(error is null, $"the server sent a PDU we cannot decode: {error}");
                return pdu;
            }

            _input.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted) return null;
        }
    }

    /// <summary>Waits until the server closes the connection, skipping any PDUs it sends first.</summary>
    public async Task<List<Pdu>> ReadUntilClosedAsync(TimeSpan? timeout = null)
    {
        var received = new List<Pdu>();
        var deadline = DateTime.UtcNow + (timeout ?? Patience);
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            Pdu? pdu;
            try
            {
                pdu = left > TimeSpan.Zero ? await TryReadAsync(left) : throw new TimeoutException();
            }
            catch (TimeoutException)
            {
                throw new TimeoutException($"the server did not close the connection within {timeout ?? Patience}; it sent {string.Join(", ", received)}");
            }

            if (pdu is null) return received;
            received.Add(pdu);
        }
    }

    public async Task<BindResponse> BindAsync(string systemId, string password, CommandId bind = CommandId.BindTransmitter, byte interfaceVersion = InterfaceVersion.V34)
    {
        BindRequest request = bind switch
        {
            CommandId.BindReceiver => new BindReceiver(),
            CommandId.BindTransceiver => new BindTransceiver(),
            _ => new BindTransmitter(),
        };
        request.SystemId = systemId;
        request.Password = password;
        request.InterfaceVersion = interfaceVersion;
        var sequence = await SendAsync(request);
        var response = await ReadAsync<BindResponse>();
        Assert.Equal(sequence, response.SequenceNumber);
        Assert.Equal(bind.ToResponse(), response.CommandId);
        return response;
    }

    public Task<BindResponse> BindAsync(SmppAccount account, CommandId bind = CommandId.BindTransmitter) =>
        BindAsync(account.SystemId, account.Password, bind);

    public static SubmitSm Submit(string sender, string destination, byte[] shortMessage, byte dataCoding = DataCoding.SmscDefault) => new()
    {
        Source = sender.All(char.IsAsciiDigit) ? SmppAddress.International(sender) : SmppAddress.Alphanumeric(sender),
        Destination = SmppAddress.International(destination),
        DataCoding = dataCoding,
        ShortMessage = shortMessage,
    };

    public async Task<SubmitSmResp> SubmitAsync(SubmitSm submit)
    {
        var sequence = await SendAsync(submit);
        var response = await ReadAsync<SubmitSmResp>();
        Assert.Equal(sequence, response.SequenceNumber);
        return response;
    }

    /// <summary>Stops the client from sending (half-close); the server sees end of stream.</summary>
    public void ShutdownSend() => _socket.Shutdown(SocketShutdown.Send);

    public async ValueTask DisposeAsync()
    {
        await _input.CompleteAsync();
        if (_tls is not null) await _tls.DisposeAsync();
        _socket.Dispose();
    }
}
