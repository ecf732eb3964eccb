using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Taifa.Domain.Ids;
using Taifa.Silo.Hosting;
using Taifa.Silo.Tests.Infrastructure;

namespace Taifa.Silo.Tests.Database;

public sealed class MessageIdNodeTests
{
    [Fact]
    public async Task Ids_stay_unique_over_more_silo_starts_than_there_are_node_numbers_even_with_a_stopped_clock()
    {
        await using var database = await TestDatabase.CreateAsync();
        // Every silo sees the same instant: only the leases can keep a node's later holders from repeating ids.
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero));
        var seen = new HashSet<long>();
        var nodes = new HashSet<int>();
        for (var start = 0; start < 1100; start++)
        {
            var lease = await MessageIdNodes.ClaimAsync(database.ConnectionString, clock.GetUtcNow());
            nodes.Add(lease.NodeId);
            var ids = new MessageIdGenerator(lease.NodeId, clock, lease.StartAfter);
            ids.ReserveUntil(lease.ReservedUntil);
            for (var i = 0; i < 3; i++)
            {
                var id = ids.Next();
                Assert.True(seen.Add(id), $"start {start} on node {lease.NodeId} repeated id {id}");
            }

            // Most stop cleanly; every tenth dies holding its node, which stays leased.
            if (start % 10 != 0) await MessageIdNodes.ReleaseAsync(database.ConnectionString, lease);
        }

        Assert.Equal(1024, nodes.Count);
    }

    [Fact]
    public async Task A_silo_whose_node_was_taken_over_can_reserve_no_more_and_the_new_holder_starts_after_it()
    {
        await using var database = await TestDatabase.CreateAsync();
        var now = DateTimeOffset.UtcNow;
        var first = await MessageIdNodes.ClaimAsync(database.ConnectionString, now);
        // Its lease runs out (it stopped renewing) and every other node is busy, so the next claim must take this one.
        await ExecuteAsync(database, $"UPDATE taifa_message_id_node SET lease_until = CASE WHEN node_id = {first.NodeId} THEN now() - interval '1 second' ELSE 'infinity' END");

        var second = await MessageIdNodes.ClaimAsync(database.ConnectionString, now);

        Assert.Equal(first.NodeId, second.NodeId);
        Assert.Equal(first.ReservedUntil, second.StartAfter);
        Assert.Null(await MessageIdNodes.RenewAsync(database.ConnectionString, first, now));
        // The new holder reserved ahead of where the old one stopped; a renewal only ever moves the reservation on.
        Assert.Equal(second.ReservedUntil, (await MessageIdNodes.RenewAsync(database.ConnectionString, second, now))?.ReservedUntil);
        var renewed = await MessageIdNodes.RenewAsync(database.ConnectionString, second, now.AddMinutes(20));
        Assert.Equal(MessageIdGenerator.ToMilliseconds(now.AddMinutes(20)) + (long)MessageIdNodes.Reservation.TotalMilliseconds, renewed?.ReservedUntil);
    }

    [Fact]
    public async Task When_every_node_is_leased_a_claim_says_so()
    {
        await using var database = await TestDatabase.CreateAsync();
        await ExecuteAsync(database, "UPDATE taifa_message_id_node SET lease_until = 'infinity'");

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => MessageIdNodes.ClaimAsync(database.ConnectionString, DateTimeOffset.UtcNow));
        Assert.Contains("leased", refused.Message, StringComparison.Ordinal);
    }

    private static async Task ExecuteAsync(TestDatabase database, string sql)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
