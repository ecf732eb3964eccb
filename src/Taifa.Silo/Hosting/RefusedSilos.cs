using System.Net;
using System.Net.Sockets;

namespace Taifa.Silo.Hosting;

/// <summary>
/// Declares a silo dead when its silo port refuses TCP connections. Orleans' probes cannot tell a refused connection
/// from a slow answer, so they wait for several missed probes, and under load their adaptive timeout stretches that to
/// 10 s and more; a refusal (a reset from the silo's host: nothing listens on the port) is strong evidence that the
/// process is gone. Looked for only when a grain call could not reach its silo (<see cref="Intake.VanishedSilos"/>), at
/// most every <see cref="LookEvery"/>, and confirmed once before <see cref="IClusterMembershipService.TryKill"/> (as
/// Orleans' Kubernetes hosting does for a deleted pod). A timeout or any other error is no evidence: probes decide.
/// </summary>
public sealed partial class RefusedSilos(
    IClusterMembershipService membership, ILocalSiloDetails localSilo, TimeProvider time, ILogger<RefusedSilos> logger)
{
    private static readonly TimeSpan LookEvery = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan Confirmation = TimeSpan.FromMilliseconds(100);

    private int _looking;
    private long _lastLook;

    /// <summary>Starts a look in the background unless one is running or one ran within <see cref="LookEvery"/>.</summary>
    public void Look()
    {
        var now = time.GetTimestamp();
        if (time.GetElapsedTime(Volatile.Read(ref _lastLook), now) < LookEvery || Interlocked.Exchange(ref _looking, 1) == 1) return;
        Volatile.Write(ref _lastLook, now);
        _ = Task.Run(async () =>
        {
            try
            {
                await DeclareRefusingSilosDead();
            }
            catch (Exception exception)
            {
                LogLookFailed(Failures.Reason(exception));
            }
            finally
            {
                Volatile.Write(ref _looking, 0);
            }
        });
    }

    private async Task DeclareRefusingSilosDead()
    {
        var others = membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active && !m.SiloAddress.Equals(localSilo.SiloAddress))
            .Select(m => m.SiloAddress);
        foreach (var silo in others)
        {
            if (!await Refuses(silo.Endpoint)) continue;

            // A silo shutting down cleanly closes its port too: it has said so in the table, which our snapshot may not show yet.
            await membership.Refresh();
            if (membership.CurrentSnapshot.GetSiloStatus(silo) != SiloStatus.Active) continue;
            LogRefused(silo);
            await membership.TryKill(silo);
        }
    }

    private async Task<bool> Refuses(IPEndPoint endpoint)
    {
        for (var attempt = 0; attempt < 2; attempt++)
        {
            if (attempt > 0) await Task.Delay(Confirmation, time);
            using var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            using var timeout = new CancellationTokenSource(ConnectTimeout, time);
            try
            {
                await socket.ConnectAsync(endpoint, timeout.Token);
                return false;
            }
            catch (SocketException exception) when (exception.SocketErrorCode == SocketError.ConnectionRefused)
            {
                // Refused: confirm once, in case a restarting listener was caught between two sockets.
            }
            catch (Exception exception) when (exception is SocketException or OperationCanceledException)
            {
                return false;
            }
        }

        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Silo {Silo} refuses connections on its silo port: declaring it dead")]
    private partial void LogRefused(SiloAddress silo);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Looking for silos that refuse connections failed ({Reason})")]
    private partial void LogLookFailed(string reason);
}
