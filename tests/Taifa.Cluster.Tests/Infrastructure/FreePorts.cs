using System.Net;
using System.Net.Sockets;

namespace Taifa.Cluster.Tests.Infrastructure;

/// <summary>
/// Loopback ports nobody is listening on, never the same one twice in this test run. They come from 21000-31999:
/// below Linux's ephemeral range, so the silos' built-in SMSC simulators (bound to port 0) can never be handed one
/// of them before its silo binds it, and apart from the range Taifa.Silo.Tests uses at the same time.
/// </summary>
public static class FreePorts
{
    private static int _next = 21_000 + Environment.ProcessId % 100 * 100;

    public static int Next()
    {
        while (true)
        {
            var port = Interlocked.Increment(ref _next);
            if (port > 31_999) Interlocked.CompareExchange(ref _next, 21_000, port);
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
                // Taken: try the next one.
            }
        }
    }
}
