using Npgsql;
using Taifa.Silo.Options;
using Taifa.Domain.Ids;

namespace Taifa.Silo.Hosting;

/// <summary>A message-id node this process holds in the database (<c>taifa_message_id_node</c>).</summary>
/// <param name="StartAfter">Every id an earlier holder of the node issued carries this timestamp or an earlier one.</param>
/// <param name="ReservedUntil">How far this holder may issue ids (milliseconds since the id epoch).</param>
public sealed record MessageIdNodeLease(int NodeId, Guid Holder, long StartAfter, long ReservedUntil);

/// <summary>
/// Claims, renews and releases message-id nodes. A claim takes a node whose lease has run out (the one reserved least
/// far, then the one the old sequence <c>taifa_node_id</c> handed out longest ago, so silos still on that scheme keep
/// theirs during an upgrade), and in the same statement records how far ahead its ids may go; a renewal only succeeds
/// for the holder, so a process that lost its node can never reserve more.
/// </summary>
public static class MessageIdNodes
{
    /// <summary>How far ahead of the clock a holder reserves, and how long its lease lasts without renewal.</summary>
    public static readonly TimeSpan Reservation = TimeSpan.FromMinutes(5);

    /// <exception cref="InvalidOperationException">All 1,024 nodes are leased (to live silos, or to ones that died within <see cref="Reservation"/>).</exception>
    public static async Task<MessageIdNodeLease> ClaimAsync(string connectionString, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var holder = Guid.NewGuid();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            """
            WITH free AS (
                SELECT node_id, reserved_until AS before
                FROM taifa_message_id_node
                WHERE lease_until < now()
                ORDER BY reserved_until, ((node_id - (SELECT last_value FROM taifa_node_id) - 1) % 1024 + 1024) % 1024
                LIMIT 1
                FOR UPDATE SKIP LOCKED)
            UPDATE taifa_message_id_node n
            SET holder = @holder, lease_until = now() + @lease, reserved_until = GREATEST(n.reserved_until, @now) + @ahead
            FROM free
            WHERE n.node_id = free.node_id
            RETURNING n.node_id, free.before, n.reserved_until
            """, connection);
        command.Parameters.AddWithValue("holder", holder);
        command.Parameters.AddWithValue("lease", Reservation);
        command.Parameters.AddWithValue("now", MessageIdGenerator.ToMilliseconds(now));
        command.Parameters.AddWithValue("ahead", (long)Reservation.TotalMilliseconds);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            throw new InvalidOperationException($"Every message-id node is leased; a node comes free {Reservation} after its silo stops renewing it.");
        }

        return new MessageIdNodeLease(reader.GetInt32(0), holder, reader.GetInt64(1), reader.GetInt64(2));
    }

    /// <summary>Extends the lease and the reservation.</summary>
    /// <returns>The renewed lease, or null when another process holds the node now (this one must issue no more).</returns>
    public static async Task<MessageIdNodeLease?> RenewAsync(string connectionString, MessageIdNodeLease lease, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            """
            UPDATE taifa_message_id_node
            SET lease_until = now() + @lease, reserved_until = GREATEST(reserved_until, @now + @ahead)
            WHERE node_id = @node AND holder = @holder
            RETURNING reserved_until
            """, connection);
        command.Parameters.AddWithValue("node", lease.NodeId);
        command.Parameters.AddWithValue("holder", lease.Holder);
        command.Parameters.AddWithValue("lease", Reservation);
        command.Parameters.AddWithValue("now", MessageIdGenerator.ToMilliseconds(now));
        command.Parameters.AddWithValue("ahead", (long)Reservation.TotalMilliseconds);
        return await command.ExecuteScalarAsync(cancellationToken) is long reserved ? lease with { ReservedUntil = reserved } : null;
    }

    /// <summary>Lets another silo take the node at once; the reservation stays, so it still starts after it.</summary>
    public static async Task ReleaseAsync(string connectionString, MessageIdNodeLease lease, CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            "UPDATE taifa_message_id_node SET holder = NULL, lease_until = '-infinity' WHERE node_id = @node AND holder = @holder", connection);
        command.Parameters.AddWithValue("node", lease.NodeId);
        command.Parameters.AddWithValue("holder", lease.Holder);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}

/// <summary>Renews this silo's message-id node while it runs and releases it at shutdown (production mode only).</summary>
public sealed partial class MessageIdNodeKeeper(NodeIdentity identity, MessageIdGenerator ids, TimeProvider time, StorageMode storage, ILogger<MessageIdNodeKeeper> logger)
    : BackgroundService
{
    private static readonly TimeSpan RenewEvery = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan RetryEvery = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (identity.Lease is null || storage.ConnectionString is not { } connectionString) return;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var pause = RenewEvery;
                try
                {
                    if (await MessageIdNodes.RenewAsync(connectionString, identity.Lease, time.GetUtcNow(), stoppingToken) is not { } renewed)
                    {
                        LogLost(identity.Lease.NodeId);
                        return;
                    }

                    identity.Lease = renewed;
                    ids.ReserveUntil(renewed.ReservedUntil);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    LogRenewFailed(Failures.Level(exception), Failures.StackWorthy(exception), identity.Lease.NodeId, Failures.Reason(exception));
                    pause = RetryEvery;
                }

                await Task.Delay(pause, time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (identity.Lease is not { } lease || storage.ConnectionString is not { } connectionString) return;
        try
        {
            await MessageIdNodes.ReleaseAsync(connectionString, lease, cancellationToken);
        }
        catch (Exception exception)
        {
            LogReleaseFailed(Failures.Level(exception), Failures.StackWorthy(exception), lease.NodeId, Failures.Reason(exception));
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Message-id node {NodeId} is held by another process now; this silo issues no more ids once its reservation runs out")]
    private partial void LogLost(int nodeId);

    [LoggerMessage(Message = "Renewing message-id node {NodeId} failed ({Reason}); retrying (ids stop when the reservation runs out)")]
    private partial void LogRenewFailed(LogLevel level, Exception? exception, int nodeId, string reason);

    [LoggerMessage(Message = "Releasing message-id node {NodeId} failed ({Reason}); it comes free when its lease runs out")]
    private partial void LogReleaseFailed(LogLevel level, Exception? exception, int nodeId, string reason);
}
