using Taifa.Domain.Operators;
using Taifa.Operators.Client;
using Taifa.Operators.Simulator;
using static Taifa.Operators.Tests.Harness;

namespace Taifa.Operators.Tests;

/// <summary>
/// However an SMSC misbehaves, the bind keeps trying (with back-off) and binds once it is answered properly: the
/// reconnect loop survives every failure of the connect, the bind and the session's own clean-up.
/// </summary>
public class ReconnectTests
{
    [Fact]
    public async Task An_smsc_that_accepts_and_closes_at_once_is_tried_again_until_it_takes_the_bind()
    {
        await using var harness = new Harness();
        harness.Simulator.Behaviour = new SimulatorBehaviour { CloseOnAccept = true };
        var bind = harness.Bind(harness.Options());
        bind.Start();

        await EventuallyAsync(() => harness.Simulator.Counters.ConnectionsAccepted >= 4, "four connections accepted and closed");
        Assert.NotEqual(OperatorBindState.Bound, bind.State);

        harness.Simulator.Behaviour = SimulatorBehaviour.Normal;
        await WaitBoundAsync(bind);

        // The 200 ms response timeout that makes the stall quick to notice can also expire on a busy machine: a few tries.
        SubmitOutcome outcome = new SubmitOutcome.TemporaryFailure(null, "not tried");
        for (var attempt = 0; attempt < 5 && outcome is not SubmitOutcome.Accepted; attempt++) outcome = await SubmitAsync(bind);
        Assert.IsType<SubmitOutcome.Accepted>(outcome);
    }

    [Fact]
    public async Task A_pair_whose_smsc_accepts_and_closes_keeps_both_sessions_trying()
    {
        await using var harness = new Harness();
        harness.Simulator.Behaviour = new SimulatorBehaviour { CloseOnAccept = true };
        var bind = harness.Bind(harness.Options(o => o.Mode = OperatorBindMode.TransmitterAndReceiver));
        bind.Start();

        await EventuallyAsync(() => harness.Simulator.Counters.ConnectionsAccepted >= 6, "six connections accepted and closed");

        harness.Simulator.Behaviour = SimulatorBehaviour.Normal;
        await WaitBoundAsync(bind);
        Assert.Equal(2, harness.Simulator.Counters.ActiveBinds);
    }

    [Fact]
    public async Task An_smsc_that_never_answers_the_bind_is_tried_again_until_it_does()
    {
        await using var harness = new Harness();
        harness.Simulator.Behaviour = new SimulatorBehaviour { Stall = true };
        var bind = harness.Bind(harness.Options(o => o.ResponseTimeout = TimeSpan.FromMilliseconds(200)));
        bind.Start();

        await EventuallyAsync(() => harness.Simulator.Counters.ConnectionsAccepted >= 3, "three connections whose bind timed out");
        Assert.Equal(0, harness.Simulator.Counters.BindsAccepted);

        harness.Simulator.Behaviour = SimulatorBehaviour.Normal;
        await WaitBoundAsync(bind);
    }

    [Fact]
    public async Task A_bound_smsc_that_stops_answering_is_dropped_and_bound_again()
    {
        await using var harness = new Harness();
        var bind = await harness.BoundAsync(o =>
        {
            o.EnquireLinkInterval = TimeSpan.FromMilliseconds(100);
            o.ResponseTimeout = TimeSpan.FromMilliseconds(200);
        });

        harness.Simulator.Behaviour = new SimulatorBehaviour { Stall = true };
        await EventuallyAsync(() => harness.Simulator.Counters.ConnectionsAccepted >= 3, "reconnects after the unanswered enquire_link");

        harness.Simulator.Behaviour = SimulatorBehaviour.Normal;
        await WaitBoundAsync(bind);

        // The 200 ms response timeout that makes the stall quick to notice can also expire on a busy machine: a few tries.
        SubmitOutcome outcome = new SubmitOutcome.TemporaryFailure(null, "not tried");
        for (var attempt = 0; attempt < 5 && outcome is not SubmitOutcome.Accepted; attempt++) outcome = await SubmitAsync(bind);
        Assert.IsType<SubmitOutcome.Accepted>(outcome);
    }

    [Fact]
    public async Task A_session_that_ends_in_an_error_is_reconnected()
    {
        await using var smsc = new UnbindThenGarbageSmsc();
        await using var harness = new Harness();
        var bind = harness.Bind(harness.Options(o => o.Port = smsc.Port));
        bind.Start();

        await EventuallyAsync(() => smsc.Connections >= 4, "four sessions, each ended by an error");
    }

    [Fact]
    public async Task An_smsc_that_refuses_every_bind_is_tried_again_and_again()
    {
        await using var harness = new Harness();
        harness.Simulator.Behaviour = new SimulatorBehaviour { RefuseBinds = true };
        var bind = harness.Bind(harness.Options());
        bind.Start();

        await EventuallyAsync(() => harness.Simulator.Counters.BindsRefused >= 4, "four refused binds");

        harness.Simulator.Behaviour = SimulatorBehaviour.Normal;
        await WaitBoundAsync(bind);
    }
}

/// <summary>
/// An SMSC written byte by byte for one misbehaviour the simulator cannot show: on every connection it takes the bind,
/// then sends, in one write, an unbind and a frame with an unknown command id. The bind aborts the session on the
/// unbind, so the generic_nack it owes the second frame can no longer be written: that session ends in an error.
/// </summary>
internal sealed class UnbindThenGarbageSmsc : IAsyncDisposable
{
    private readonly System.Net.Sockets.TcpListener _listener = new(System.Net.IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _accepting;
    private int _connections;

    public UnbindThenGarbageSmsc()
    {
        _listener.Start();
        _accepting = Task.Run(AcceptAsync);
    }

    public int Port => ((System.Net.IPEndPoint)_listener.LocalEndpoint).Port;

    public int Connections => Volatile.Read(ref _connections);

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stopping.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            System.Net.Sockets.Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or System.Net.Sockets.SocketException or ObjectDisposedException)
            {
                return;
            }

            Interlocked.Increment(ref _connections);
            using (socket)
            {
                await ServeAsync(socket);
            }
        }
    }

    private async Task ServeAsync(System.Net.Sockets.Socket socket)
    {
        try
        {
            var header = new byte[16];
            var read = 0;
            while (read < header.Length)
            {
                var n = await socket.ReceiveAsync(header.AsMemory(read), _stopping.Token);
                if (n == 0) return;
                read += n;
            }

            var length = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(header);
            var body = new byte[length - 16];
            for (var done = 0; done < body.Length;)
            {
                var n = await socket.ReceiveAsync(body.AsMemory(done), _stopping.Token);
                if (n == 0) return;
                done += n;
            }

            var bindResponse = new Taifa.Smpp.Pdus.BindTransceiverResp
            {
                SequenceNumber = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(12)),
                SystemId = "GARBAGE",
            };
            await socket.SendAsync(Taifa.Smpp.Codec.SmppPduWriter.ToArray(bindResponse), _stopping.Token);

            byte[] unknownCommand = [0, 0, 0, 16, 0, 0, 0x07, 0x77, 0, 0, 0, 0, 0, 0, 0, 2];
            await socket.SendAsync((byte[])[.. Taifa.Smpp.Codec.SmppPduWriter.ToArray(new Taifa.Smpp.Pdus.Unbind { SequenceNumber = 1 }), .. unknownCommand], _stopping.Token);

            // Until the client hangs up.
            while (await socket.ReceiveAsync(header, _stopping.Token) > 0)
            {
            }
        }
        catch (Exception e) when (e is OperationCanceledException or System.Net.Sockets.SocketException)
        {
        }
    }
}
