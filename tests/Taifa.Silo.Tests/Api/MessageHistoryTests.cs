using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Taifa.Silo.Api;
using Taifa.Silo.Tests.Infrastructure;

namespace Taifa.Silo.Tests.Api;

/// <summary>
/// GET /v2/sms/messages (filtered, keyset-paged status objects, newest first) and messages.csv (the same, streamed).
/// Runs embedded (<see cref="EmbeddedMessageHistoryTests"/>) and on PostgreSQL (<see cref="PostgresMessageHistoryTests"/>).
/// </summary>
public abstract class MessageHistoryTests(ModeGateway fixture)
{
    private static readonly string[] Mobiles = ["254702739804", "254733123456", "254771234567"];

    private GatewayFactory Gateway => fixture.Gateway;

    [Fact]
    public async Task Pages_hold_every_message_once_newest_first_as_the_status_endpoint_shows_it()
    {
        var (account, sent) = await AccountWithMessagesAsync(7);
        using var client = Gateway.CreateClient();
        await UntilDelivered(client, account, sent.Count);

        var seen = new List<JsonNode>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await client.GetJsonAsync($"/v2/sms/messages?limit=3{(cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor))}", account.ApiKey);
            Assert.Equal("1000", page.Code());
            seen.AddRange(page["messages"]!.AsArray().Select(m => m!));
            cursor = page["next_cursor"]?.GetValue<string>();
            pages++;
        }
        while (cursor is not null);

        Assert.Equal(3, pages);
        Assert.Equal(sent.AsEnumerable().Reverse(), seen.Select(m => m["message_id"]!.GetValue<string>()));
        var newest = seen[0];
        var status = await client.GetJsonAsync($"/v2/sms/status?message_id={newest["message_id"]!.GetValue<string>()}", account.ApiKey);
        Assert.Equal(Without(status, "status", "submitted_at", "done_at"), Without(newest, "status", "submitted_at", "done_at"));
        Assert.Equal(status.AsObject().Select(p => p.Key), newest.AsObject().Select(p => p.Key));
    }

    [Fact]
    public async Task Filters_select_by_number_sender_id_status_and_acceptance_time()
    {
        var (account, sent) = await AccountWithMessagesAsync(6);
        using var client = Gateway.CreateClient();

        Assert.Equal([sent[4], sent[1]], await IdsAsync(client, account, "mobile=0733123456"));
        Assert.Equal([sent[5], sent[3], sent[1]], await IdsAsync(client, account, "sender_name=" + account.SenderId.ToLowerInvariant() + "B"));
        Assert.Equal([sent[4]], await IdsAsync(client, account, $"mobile=%2B254733123456&sender_name={account.SenderId}A"));

        var hourAgo = NairobiTime.Format(DateTimeOffset.UtcNow.AddHours(-1));
        var inAnHour = NairobiTime.Format(DateTimeOffset.UtcNow.AddHours(1));
        Assert.Equal(sent.AsEnumerable().Reverse(), await IdsAsync(client, account, $"from={Uri.EscapeDataString(hourAgo)}&to={Uri.EscapeDataString(inAnHour)}"));
        Assert.Empty(await IdsAsync(client, account, $"from={Uri.EscapeDataString(inAnHour)}"));
        Assert.Empty(await IdsAsync(client, account, $"to={Uri.EscapeDataString(hourAgo)}"));

        // The built-in simulators deliver every message within seconds; the filter follows the records.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await IdsAsync(client, account, "status=delivered")).Count < sent.Count)
        {
            Assert.True(DateTime.UtcNow < deadline, "waiting for the simulators to deliver every message");
            await Task.Delay(250);
        }

        Assert.Empty(await IdsAsync(client, account, "status=queued"));
        var page = await client.GetJsonAsync($"/v2/sms/messages?status=delivered&limit=4", account.ApiKey);
        Assert.All(page["messages"]!.AsArray(), m => Assert.Equal("delivered", m!["status"]!.GetValue<string>()));
        Assert.NotNull(page["next_cursor"]);
    }

    [Fact]
    public async Task An_account_never_sees_another_accounts_messages()
    {
        var (first, firstSent) = await AccountWithMessagesAsync(3);
        var (second, secondSent) = await AccountWithMessagesAsync(2);
        using var client = Gateway.CreateClient();

        Assert.Equal(firstSent.AsEnumerable().Reverse(), await IdsAsync(client, first, ""));
        Assert.Equal(secondSent.AsEnumerable().Reverse(), await IdsAsync(client, second, ""));

        // The first account's cursor in the second's hands pages the second account's own messages only.
        var page = await client.GetJsonAsync("/v2/sms/messages?limit=1", first.ApiKey);
        var cursor = page["next_cursor"]!.GetValue<string>();
        var borrowed = await client.GetJsonAsync($"/v2/sms/messages?cursor={Uri.EscapeDataString(cursor)}", second.ApiKey);
        Assert.All(borrowed["messages"]!.AsArray(), m => Assert.Contains(m!["message_id"]!.GetValue<string>(), secondSent));

        var (_, csv) = await CsvAsync(client, second.ApiKey, "");
        Assert.DoesNotContain(csv, line => firstSent.Any(id => line.StartsWith(id, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task The_csv_holds_a_header_and_exactly_what_the_json_pages_hold()
    {
        var (account, sent) = await AccountWithMessagesAsync(5, text: "Hello, \"world\"");
        using var client = Gateway.CreateClient();
        await UntilDelivered(client, account, sent.Count);

        var json = new List<JsonNode>();
        string? cursor = null;
        do
        {
            var page = await client.GetJsonAsync($"/v2/sms/messages?limit=2&sender_name={account.SenderId}A{(cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor))}", account.ApiKey);
            json.AddRange(page["messages"]!.AsArray().Select(m => m!));
            cursor = page["next_cursor"]?.GetValue<string>();
        }
        while (cursor is not null);

        var (contentType, lines) = await CsvAsync(client, account.ApiKey, $"sender_name={account.SenderId}A");
        Assert.Equal("text/csv", contentType);
        Assert.Equal(string.Join(',', MessageStatusJson.FieldNames), lines[0]);
        Assert.Equal(3, json.Count);
        Assert.Equal(
            json.Select(m => CsvFormat.Fields(MessageStatusJson.FieldNames.Select(name => m[name]?.GetValue<string>()).ToList())),
            lines.Skip(1));
    }

    [Theory]
    [InlineData("limit=0", "1019")]
    [InlineData("limit=501", "1019")]
    [InlineData("limit=ten", "1019")]
    [InlineData("cursor=not-a-cursor", "1019")]
    [InlineData("cursor=AQAAAAAAAAAA", "1019")]
    [InlineData("from=2026-12-01", "1019")]
    [InlineData("from=2026-13-01%2000:00:00", "1019")]
    [InlineData("from=2026-12-02%2000:00:00&to=2026-12-01%2000:00:00", "1019")]
    [InlineData("status=sent", "1019")]
    [InlineData("mobile=0200123456", "1003")]
    public async Task Bad_parameters_are_refused(string parameters, string code)
    {
        var account = await Gateway.OpenAccountAsync();
        using var client = Gateway.CreateClient();
        var answer = await client.GetJsonAsync($"/v2/sms/messages?{parameters}", account.ApiKey);
        Assert.Equal(code, answer[0]!.Code());
        if (code == "1019") Assert.Equal("""[{"status_code":"1019","status_desc":"Invalid parameters"}]""", answer.ToJsonString());
        if (!parameters.StartsWith("limit", StringComparison.Ordinal) && !parameters.StartsWith("cursor", StringComparison.Ordinal))
        {
            Assert.Equal(code, (await client.GetJsonAsync($"/v2/sms/messages.csv?{parameters}", account.ApiKey))[0]!.Code());
        }
    }

    [Fact]
    public async Task A_bad_key_answers_1006_on_both_endpoints()
    {
        using var client = Gateway.CreateClient();
        Assert.Equal("1006", (await client.GetJsonAsync("/v2/sms/messages", new string('0', 64)))[0]!.Code());
        Assert.Equal("1006", (await client.GetJsonAsync("/v2/sms/messages.csv?limit=0", null))[0]!.Code());
    }

    /// <summary>An account with two sender IDs (…A, …B, alternating) whose messages go round the three networks; their ids in order.</summary>
    private async Task<(TestAccount Account, List<string> Sent)> AccountWithMessagesAsync(int count, string text = "history")
    {
        var prefix = "H" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        var account = await Gateway.OpenAccountAsync(100m, 1m, prefix + "A", prefix + "B");
        account = account with { SenderId = prefix };
        using var client = Gateway.CreateClient();
        var sent = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var answer = await client.SendSmsAsync(account.ApiKey, new { mobile = Mobiles[i % 3], sender_name = prefix + (i % 2 == 0 ? "A" : "B"), message = text });
            Assert.Equal("1000", answer[0]!.Code());
            sent.Add(answer[0]!["message_id"]!.GetValue<string>());
        }

        return (account, sent);
    }

    /// <summary>Until the built-in simulators have delivered every message: two reads of a message that is still moving
    /// (the history's row, the status endpoint, a CSV export) may each see another step of it.</summary>
    private static async Task UntilDelivered(HttpClient client, TestAccount account, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await IdsAsync(client, account, "status=delivered")).Count < count)
        {
            Assert.True(DateTime.UtcNow < deadline, "waiting for the simulators to deliver every message");
            await Task.Delay(250);
        }
    }

    private static async Task<List<string>> IdsAsync(HttpClient client, TestAccount account, string parameters)
    {
        var page = await client.GetJsonAsync($"/v2/sms/messages?limit=500&{parameters}", account.ApiKey);
        Assert.True(page.Code() == "1000", page.ToJsonString());
        return [.. page["messages"]!.AsArray().Select(m => m!["message_id"]!.GetValue<string>())];
    }

    private static async Task<(string ContentType, List<string> Lines)> CsvAsync(HttpClient client, string apiKey, string parameters)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v2/sms/messages.csv?{parameters}");
        request.Headers.Add("h_api_key", apiKey);
        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.EndsWith("\r\n", body, StringComparison.Ordinal);
        return (response.Content.Headers.ContentType?.MediaType ?? "", [.. body[..^2].Split("\r\n")]);
    }

    private static string Without(JsonNode message, params string[] names)
    {
        var copy = message.DeepClone().AsObject();
        foreach (var name in names) copy.Remove(name);
        return copy.ToJsonString();
    }
}

public sealed class EmbeddedMessageHistoryTests(EmbeddedModeGateway gateway) : MessageHistoryTests(gateway), IClassFixture<EmbeddedModeGateway>;

public sealed class PostgresMessageHistoryTests(PostgresModeGateway gateway) : MessageHistoryTests(gateway), IClassFixture<PostgresModeGateway>;
