using System.Net;
using System.Net.Sockets;

namespace Taifa.Cluster.Tests.Infrastructure;

/// <summary>Loopback ports nobody is listening on, never the same one twice in this test run.</summary>
public static class FreePorts
{
    private static readonly HashSet<int> Given = [];

    public static int Next()
    {
        while (true)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            lock (Given)
            {
                if (Given.Add(port)) return port;
            }
        }
    }
}
