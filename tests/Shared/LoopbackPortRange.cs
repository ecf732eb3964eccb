using System.Net;
using System.Net.Sockets;

namespace Taifa.Tests.Shared;

/// <summary>
/// Hands out loopback TCP ports nobody listens on from one range, round robin. Each test project takes its own range
/// below Linux's ephemeral ports (32768+), so a port handed out here is never also given to a socket bound to port 0
/// before its user binds it; the start is spread by process id so parallel test processes stay apart.
/// </summary>
public sealed class LoopbackPortRange(int first, int last)
{
    private int _next = first + Environment.ProcessId % 100 * 100;

    public int Next()
    {
        while (true)
        {
            var port = Interlocked.Increment(ref _next);
            if (port > last) Interlocked.CompareExchange(ref _next, first, port);
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
