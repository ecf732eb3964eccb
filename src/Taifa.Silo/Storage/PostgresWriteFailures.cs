using System.Net.Sockets;
using Npgsql;
using Taifa.Grains.Persistence;

namespace Taifa.Silo.Storage;

/// <summary>
/// PostgreSQL's refusals: an error the server reported (its transaction did not commit; COMMIT itself reports one if
/// it fails), and a connection that could not be opened (nothing was sent).
/// </summary>
public sealed class PostgresWriteFailures : WriteFailures
{
    protected override bool Refused(Exception cause) =>
        cause is PostgresException ||
        cause is SocketException { SocketErrorCode: SocketError.ConnectionRefused or SocketError.HostNotFound or SocketError.TryAgain
            or SocketError.HostUnreachable or SocketError.NetworkUnreachable };
}
