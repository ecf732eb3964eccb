using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Npgsql;
using Taifa.Silo.Tests.Infrastructure;

namespace Taifa.Silo.Tests.Api;

/// <summary>Production mode against the real local PostgreSQL: state survives restarts, outages answer 1005.</summary>
public sealed class PostgresModeTests : IAsyncLifetime
{
    private TestDatabase _database = null!;

    public async Task InitializeAsync() => _database = await TestDatabase.CreateAsync(applySchema: false);

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task Messages_accepted_while_no_operator_is_configured_go_out_once_one_is()
    {
        TestAccount account;
        string messageId;
        await using (var unrouted = new GatewayFactory(_database.ConnectionString, new Dictionary<string, string> { ["Taifa:Simulators:Enabled"] = "false" }))
        {
            using var client = unrouted.CreateClient();
            account = await unrouted.OpenAccountAsync(credit: 10m);
            var sent = await client.SendSmsAsync(account.ApiKey, new { mobile = "0702739804", sender_name = account.SenderId, message = "waiting for a route" });
            messageId = sent[0]!["message_id"]!.GetValue<string>();

            // Long enough for the hand-off and an outbox sweep (every 2 s) to have run.
            await Task.Delay(TimeSpan.FromSeconds(3));
            Assert.Equal("queued", (await client.GetJsonAsync($"/v2/sms/status?message_id={messageId}", account.ApiKey))["status"]!.GetValue<string>());
        }

        // Restarted with operators (the built-in simulators): the waiting message is sent.
        await using var routed = new GatewayFactory(_database.ConnectionString);
        using var after = routed.CreateClient();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        string status;
        do
        {
            // Any call of the account activates it, and its activation hands off what its outbox still holds.
            status = (await after.GetJsonAsync($"/v2/sms/status?message_id={messageId}", account.ApiKey))["status"]!.GetValue<string>();
            if (status == "delivered") break;
            await Task.Delay(250);
        }
        while (DateTime.UtcNow < deadline);

        Assert.Equal("delivered", status);
    }

    [Fact]
    public async Task Balance_sender_ids_credentials_keys_and_message_records_survive_a_restart()
    {
        TestAccount account;
        string messageId;
        var username = "u" + Guid.NewGuid().ToString("N")[..8];
        await using (var first = new GatewayFactory(_database.ConnectionString))
        {
            using var client = first.CreateClient();
            account = await first.OpenAccountAsync(credit: 10m, price: 1.25m);
            var sent = await client.SendSmsAsync(account.ApiKey, new { mobile = "0702739804,0733123456", sender_name = account.SenderId, message = "before restart" });
            Assert.All(sent, e => Assert.Equal("1000", e!.Code()));
            messageId = sent[1]!["message_id"]!.GetValue<string>();
            var (_, credentials) = await client.PostRawAsync("/v2/sms/smpp-credentials", account.ApiKey,
                $$"""{"smpp_username":"{{username}}","smpp_password":"secret1"}""");
            Assert.Contains(username, credentials, StringComparison.Ordinal);
        }

        await using var second = new GatewayFactory(_database.ConnectionString);
        using var after = second.CreateClient();
        Assert.Equal("7.50", (await after.GetJsonAsync("/v2/sms/units", account.ApiKey))["credit_balance"]!.GetValue<string>());

        var status = await after.GetJsonAsync($"/v2/sms/status?message_id={messageId}", account.ApiKey);
        Assert.Equal("254733123456", status["mobile_number"]!.GetValue<string>());
        Assert.Equal("1.25", status["message_cost"]!.GetValue<string>());

        var sent2 = await after.SendSmsAsync(account.ApiKey, new { mobile = "0702739804", sender_name = account.SenderId, message = "after restart" });
        Assert.Equal("6.25", sent2[0]!["credit_balance"]!.GetValue<string>());

        var other = await second.OpenAccountAsync();
        var (_, taken) = await after.PostRawAsync("/v2/sms/smpp-credentials", other.ApiKey,
            $$"""{"smpp_username":"{{username}}","smpp_password":"x"}""");
        Assert.Equal("1012", JsonNode.Parse(taken)![0]!.Code());

        using var admin = second.CreateAdminClient();
        var conflict = await admin.PostAsJsonAsync($"/v2/admin/accounts/{other.AccountId}/sender-ids", new { sender_id = account.SenderId });
        Assert.Equal(System.Net.HttpStatusCode.Conflict, conflict.StatusCode);

        await using var connection = await _database.OpenConnectionAsync();
        await using var applied = new NpgsqlCommand("select count(*) from taifa_schema_version", connection);
        Assert.True((long)(await applied.ExecuteScalarAsync())! >= 6, "the schema was applied at start-up into the empty database");
    }

    [Fact]
    public async Task A_database_outage_answers_1005_charges_nothing_and_recovers_by_itself()
    {
        await using var gateway = new GatewayFactory(_database.ConnectionString);
        using var client = gateway.CreateClient();
        var account = await gateway.OpenAccountAsync(credit: 5m);
        var send = new { mobile = "0702739804", sender_name = account.SenderId, message = "outage" };
        Assert.Equal("4.00", (await client.SendSmsAsync(account.ApiKey, send))[0]!["credit_balance"]!.GetValue<string>());

        await _database.SetAvailableAsync(false);
        try
        {
            var during = await client.SendSmsAsync(account.ApiKey, send);
            Assert.Equal("""{"status_code":"1005","status_desc":"DB error"}""", during[0]!.ToJsonString());
        }
        finally
        {
            await _database.SetAvailableAsync(true);
        }

        var deadline = DateTime.UtcNow.AddSeconds(30);
        JsonArray recovered;
        do
        {
            await Task.Delay(250);
            recovered = await client.SendSmsAsync(account.ApiKey, send);
        }
        while (recovered[0]!.Code() != "1000" && DateTime.UtcNow < deadline);
        Assert.Equal("1000", recovered[0]!.Code());
        Assert.Equal("3.00", recovered[0]!["credit_balance"]!.GetValue<string>());
    }

    [Fact]
    public async Task Dead_lettered_dispatch_events_are_surfaced_as_a_metric()
    {
        await using var gateway = new GatewayFactory(_database.ConnectionString);
        using var client = gateway.CreateClient();
        await using (var connection = await _database.OpenConnectionAsync())
        {
            await using var insert = new NpgsqlCommand(
                "INSERT INTO OrleansStreamDeadLetter (ServiceId, ProviderId, QueueId, MessageId, Dequeued, VisibleOn, ExpiresOn, CreatedOn, ModifiedOn, DeadOn, RemoveOn) " +
                "VALUES ('taifa-gateway', 'dispatch', 'q0', 1, 5, now(), now(), now(), now(), now(), now() + interval '1 day')", connection);
            await insert.ExecuteNonQueryAsync();
        }

        // Restart so the first count (taken at start-up) sees the row.
        await using var restarted = new GatewayFactory(_database.ConnectionString);
        using var after = restarted.CreateClient();
        // The dead-letter watch reads its table on a timer after the restart; on a loaded 2-core CI machine that took over 20 s.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        string metrics;
        do
        {
            await Task.Delay(200);
            metrics = await after.GetStringAsync("/metrics");
        }
        while (!metrics.Contains("taifa_dispatch_dead_letters{otel_scope_name=\"Taifa.Gateway\"} 1", StringComparison.Ordinal) && DateTime.UtcNow < deadline);
        Assert.Contains("taifa_dispatch_dead_letters{otel_scope_name=\"Taifa.Gateway\"} 1", metrics, StringComparison.Ordinal);
    }
}
