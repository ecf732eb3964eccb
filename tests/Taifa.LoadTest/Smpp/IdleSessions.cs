using System.Globalization;
using System.Net.Sockets;
using Taifa.Smpp.Pdus;
using Taifa.Smpp.Session;

namespace Taifa.LoadTest.Smpp;

/// <summary>
/// The memory benchmark's client (infra/bench/idle-sessions.sh): opens N bind_transceiver sessions, holds them idle
/// for a while (answering the server's enquire_link and sending one of its own every interval, as a real client
/// does to stay under the server's idle timeout), then unbinds them all. Sends no messages. Prints "ALL_BOUND n"
/// once every session is bound or has failed, so a script can sample the server while the sessions are held.
/// </summary>
public static class IdleSessions
{
    public const string Usage = """
        Usage: Taifa.LoadTest idle-sessions --system-id ID --password PW [options]
          --smpp-host HOST           listener host (default 127.0.0.1)
          --smpp-port PORT           listener port (default 2775)
          --sessions N               binds to open (default 10000)
          --hold S                   seconds to hold them once all are bound (default 60)
          --enquire-interval S       client enquire_link period per session (default 60)
          --connect-concurrency C    binds being opened at once (default 100)
          --bind-limit S             stop opening binds after S seconds and hold those bound (default: no limit)
        Exit codes: 0 every session bound and none was closed by the server while held, 1 otherwise, 2 bad arguments.
        """;

    private static readonly TimeSpan BindTimeout = TimeSpan.FromSeconds(30);

    public static async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        string host = "127.0.0.1", systemId = "", password = "";
        int port = 2775, sessions = 10_000, hold = 60, enquire = 60, concurrency = 100, bindLimit = 0;
        for (var i = 1; i + 1 < args.Count; i += 2)
        {
            var value = args[i + 1];
            switch (args[i])
            {
                case "--smpp-host": host = value; break;
                case "--smpp-port": port = Number(value); break;
                case "--system-id": systemId = value; break;
                case "--password": password = value; break;
                case "--sessions": sessions = Number(value); break;
                case "--hold": hold = Number(value); break;
                case "--enquire-interval": enquire = Number(value); break;
                case "--connect-concurrency": concurrency = Number(value); break;
                case "--bind-limit": bindLimit = Number(value); break;
                default:
                    await Console.Error.WriteLineAsync($"Unknown option {args[i]}.\n{Usage}");
                    return 2;
            }
        }

        if (systemId.Length == 0 || password.Length == 0 || sessions <= 0 || hold < 0 || enquire <= 0 || concurrency <= 0 || bindLimit < 0)
        {
            await Console.Error.WriteLineAsync(Usage);
            return 2;
        }

        var open = new List<IdleSession>(sessions);
        var failures = new Dictionary<string, int>();
        var started = DateTime.UtcNow;
        using var gate = new SemaphoreSlim(concurrency);
        using var binding = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (bindLimit > 0) binding.CancelAfter(TimeSpan.FromSeconds(bindLimit));
        var binds = Enumerable.Range(0, sessions).Select(async _ =>
        {
            try
            {
                await gate.WaitAsync(binding.Token);
            }
            catch (OperationCanceledException)
            {
                lock (failures) failures["not attempted (cancelled)"] = failures.GetValueOrDefault("not attempted (cancelled)") + 1;
                return;
            }

            try
            {
                var session = await IdleSession.BindAsync(host, port, systemId, password, TimeSpan.FromSeconds(enquire), binding.Token);
                lock (open) open.Add(session);
            }
            catch (Exception exception) when (exception is SocketException or InvalidOperationException or TimeoutException or IOException
                                                or OperationCanceledException)
            {
                // Cancelled (Ctrl-C, --bind-limit): hold and report the sessions bound so far rather than nothing.
                var key = exception is InvalidOperationException ? exception.Message : exception.GetType().Name;
                lock (failures) failures[key] = failures.GetValueOrDefault(key) + 1;
            }
            finally
            {
                gate.Release();
            }
        });
        await Task.WhenAll(binds);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ALL_BOUND {open.Count} of {sessions} in {(DateTime.UtcNow - started).TotalSeconds:0.0} s"));
        foreach (var (reason, count) in failures) Console.WriteLine($"  bind failed x{count}: {reason}");

        try
        {
            await Task.Delay(TimeSpan.FromSeconds(hold), cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }

        var closedByServer = open.Count(s => s.ClosedByServer);
        var enquiresAnswered = open.Sum(s => s.EnquireLinksAnswered);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"HELD {open.Count - closedByServer} sessions for {hold} s; closed by the server meanwhile: {closedByServer}; server enquire_link answered: {enquiresAnswered}"));
        await Task.WhenAll(open.Select(s => s.UnbindAsync()));
        return failures.Count == 0 && closedByServer == 0 ? 0 : 1;
    }

    private static int Number(string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? number : -1;

    /// <summary>One idle bind_transceiver on an <see cref="SmppChannel"/>: it answers enquire_link and unbind, and keeps alive.</summary>
    private sealed class IdleSession : ISmppChannelHandler
    {
        private readonly SmppChannel _channel;
        private readonly CancellationTokenSource _stop = new();
        private Task _running = Task.CompletedTask;
        private volatile bool _unbinding;

        private IdleSession(Socket socket) =>
            _channel = SmppChannel.OverStream(new NetworkStream(socket, ownsSocket: true), this, new SmppChannelOptions(), TimeProvider.System);

        public bool ClosedByServer { get; private set; }

        public int EnquireLinksAnswered { get; private set; }

        public static async Task<IdleSession> BindAsync(string host, int port, string systemId, string password, TimeSpan enquireInterval, CancellationToken cancellationToken)
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            IdleSession? session = null;
            try
            {
                await socket.ConnectAsync(host, port, cancellationToken);
                session = new IdleSession(socket);
                session._running = Task.Run(session.RunAsync, CancellationToken.None);
                var bind = new BindTransceiver { SystemId = systemId, Password = password, InterfaceVersion = InterfaceVersion.V34 };
                var status = (await session._channel.RequestAsync(bind, BindTimeout).WaitAsync(cancellationToken)).CommandStatus;
                if (status != CommandStatus.Ok) throw new InvalidOperationException($"bind_transceiver refused: 0x{(uint)status:X8}");
            }
            catch (Exception exception)
            {
                session?._stop.Cancel();
                session?._channel.Abort();
                socket.Dispose();
                if (exception is SmppSessionClosedException) throw new IOException("the server closed the connection before answering the bind", exception);
                throw;
            }

            _ = session.KeepAlive(enquireInterval);
            return session;
        }

        public async Task UnbindAsync()
        {
            _unbinding = true;
            await _stop.CancelAsync();
            try
            {
                await _channel.RequestAsync(new Unbind(), TimeSpan.FromSeconds(2));
            }
            catch (Exception exception) when (exception is TimeoutException or SmppSessionClosedException or InvalidOperationException)
            {
            }

            _channel.Abort();
            await _running;
        }

        ValueTask<bool> ISmppChannelHandler.OnIncomingAsync(Pdu pdu)
        {
            switch (pdu)
            {
                case EnquireLink enquire:
                    EnquireLinksAnswered++;
                    _channel.Send(enquire.CreateResponse());
                    break;
                case Unbind unbind:
                    _channel.Send(unbind.CreateResponse());
                    break;
                case SmppRequest request:
                    _channel.Send(request.CreateResponse(CommandStatus.InvalidCommandId));
                    break;
            }

            return ValueTask.FromResult(false);
        }

        private async Task RunAsync()
        {
            await _channel.RunAsync();
            if (!_unbinding) ClosedByServer = true;
        }

        /// <summary>Sends enquire_link without waiting for the answer (it arrives as a response nobody waits for).</summary>
        private async Task KeepAlive(TimeSpan interval)
        {
            // Spread the sessions' enquire_links over the interval instead of sending them all at once.
            var delay = TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * interval.TotalMilliseconds);
            try
            {
                while (true)
                {
                    await Task.Delay(delay, _stop.Token);
                    _channel.Send(new EnquireLink { SequenceNumber = _channel.Sequence.Next() });
                    delay = interval;
                }
            }
            catch (OperationCanceledException)
            {
            }
        }
    }
}
