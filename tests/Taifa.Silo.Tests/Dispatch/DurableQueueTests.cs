using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Taifa.Operators.Simulator;
using Taifa.Silo.Dispatch;
using Taifa.Silo.Tests.Infrastructure;

namespace Taifa.Silo.Tests.Dispatch;

/// <summary>
/// On PostgreSQL the message table is the durable queue: its queued rows are the queue depth every silo reports, the
/// same after the silo that accepted them is gone, and the rows follow each message to its final state.
/// </summary>
public sealed class DurableQueueTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private static readonly Dictionary<string, string> Settings = new() { ["Taifa:DrainDelay"] = "00:00:00" };
    private TestDatabase _database = null!;

    public async Task InitializeAsync() => _database = await TestDatabase.CreateAsync();

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task The_queue_depth_counts_the_queued_rows_exactly_after_the_silo_that_accepted_them_is_gone()
    {
        TestAccount account;
        string cancelled;
        List<string> waiting;
        await using (var first = new GatewayFactory(_database.ConnectionString, Settings))
        {
            account = await first.OpenAccountAsync(10m, 1m);
            var safaricom = first.Services.GetRequiredService<BuiltInOperators>().Simulators["safaricom"];
            safaricom.Behaviour = SimulatorBehaviour.Normal with { RefuseBinds = true };
            safaricom.DropAllBinds();
            using var client = first.CreateClient();
            var sent = await client.SendSmsAsync(account.ApiKey, new { mobile = "0711000501,0711000502,0711000503", sender_name = account.SenderId, message = "durable" });
            var ids = sent.Select(m => m!["message_id"]!.GetValue<string>()).ToList();
            cancelled = ids[0];
            waiting = ids[1..];

            await WaitForQueueDepth(client, 3);
            var (_, answer) = await client.PostRawAsync("/v2/sms/cancel", account.ApiKey, $$"""{"message_id":"{{cancelled}}"}""");
            Assert.Equal("cancelled", JsonNode.Parse(answer)!["status"]!.GetValue<string>());
            await WaitForQueueDepth(client, 2);
            Assert.Equal([cancelled], await History(client, account, "cancelled"));
        }

        // A silo with no operator dispatches nothing: what it reports is the queue as the first silo left it.
        await using (var second = new GatewayFactory(_database.ConnectionString, new Dictionary<string, string>(Settings) { ["Taifa:Simulators:Enabled"] = "false" }))
        {
            using var client = second.CreateClient();
            Assert.Equal(2, await QueueDepth(client));
        }

        await using var third = new GatewayFactory(_database.ConnectionString, Settings);
        using var survivor = third.CreateClient();
        await WaitForQueueDepth(survivor, 0);
        var deadline = DateTime.UtcNow + Patience;
        while ((await History(survivor, account, "delivered")).Count < waiting.Count)
        {
            Assert.True(DateTime.UtcNow < deadline, "the waiting messages' rows never became delivered");
            await Task.Delay(100);
        }

        Assert.Equal(waiting.OrderDescending(), await History(survivor, account, "delivered"));
        Assert.Empty(await History(survivor, account, "queued"));
    }

    private static async Task<long> QueueDepth(HttpClient client) =>
        (await client.GetJsonAsync("/v2/sms/health", apiKey: null))["queue_depth"]!.GetValue<long>();

    private static async Task WaitForQueueDepth(HttpClient client, long expected)
    {
        var deadline = DateTime.UtcNow + Patience;
        long depth;
        while ((depth = await QueueDepth(client)) != expected)
        {
            Assert.True(DateTime.UtcNow < deadline, $"queue_depth never became {expected}; last {depth}");
            await Task.Delay(100);
        }
    }

    private static async Task<List<string>> History(HttpClient client, TestAccount account, string status)
    {
        var page = await client.GetJsonAsync($"/v2/sms/messages?limit=50&status={status}", account.ApiKey);
        return [.. page["messages"]!.AsArray().Select(m => m!["message_id"]!.GetValue<string>())];
    }
}
