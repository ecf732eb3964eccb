namespace Taifa.Cluster.Tests.Infrastructure;

/// <summary>
/// Loopback ports nobody is listening on, never the same one twice in this test run. They come from 21000-31999:
/// below Linux's ephemeral range, so the silos' built-in SMSC simulators (bound to port 0) can never be handed one
/// of them before its silo binds it, and apart from the range Taifa.Silo.Tests uses at the same time.
/// </summary>
public static class FreePorts
{
    private static readonly Taifa.Tests.Shared.LoopbackPortRange Ports = new(21_000, 31_999);

    public static int Next() => Ports.Next();
}
