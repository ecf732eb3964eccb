using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Taifa.Abstractions.Accounts;
using Taifa.Silo.Tests.Infrastructure;
using Taifa.Silo.Tests.Security;

namespace Taifa.Silo.Tests.Payments;

/// <summary>
/// The statement and M-Pesa C2B top-ups against a whole gateway, in the embedded mode and on PostgreSQL: every shilling
/// tied to an entry, opening + Σ amounts = closing, and one credit per TransID however often Daraja repeats it.
/// </summary>
public abstract class WalletMoneyTests(GatewayFactory factory)
{
    public const string Token = "test-mpesa-callback-token-0123";

    /// <summary>No operators (messages stay queued, nothing refunds on its own), a callback token, and alert URLs on loopback.</summary>
    public static readonly IReadOnlyDictionary<string, string> Settings = new Dictionary<string, string>
    {
        ["Taifa:Simulators:Enabled"] = "false",
        ["Taifa:Payments:Mpesa:CallbackToken"] = Token,
        ["Taifa:Api:AllowPrivateCallbackTargets"] = "true",
    };

    private const string Accepted = """{"ResultCode":0,"ResultDesc":"Accepted"}""";
    private const string InvalidAccount = """{"ResultCode":"C2B00012","ResultDesc":"Invalid Account Number"}""";

    protected GatewayFactory Factory { get; } = factory;

    [Fact]
    public async Task The_statement_shows_opening_debits_credits_top_ups_and_refunds_and_adds_up()
    {
        using var client = Factory.CreateClient();
        var account = await Factory.OpenAccountAsync(credit: 10m, price: 1m);
        var sent = await client.SendSmsAsync(account.ApiKey, new { mobile = "0702739804,0733123456", sender_name = account.SenderId, message = "hi" });
        var first = long.Parse(sent[0]!["message_id"]!.GetValue<string>(), CultureInfo.InvariantCulture);
        var second = long.Parse(sent[1]!["message_id"]!.GetValue<string>(), CultureInfo.InvariantCulture);
        using (var admin = Factory.CreateAdminClient())
        {
            var credited = await admin.PostAsync($"/v2/admin/accounts/{account.AccountId}/credit", Json("""{"amount":5}"""));
            Assert.Equal(HttpStatusCode.OK, credited.StatusCode);
        }

        Assert.Equal(Accepted, await Confirm(client, Daraja(account.AccountId, "RKTQDM7W6S", "100.00")));
        await Grains.GetGrain<IAccountGrain>(account.AccountId).Refund(first, 1m);

        var statement = await Statement(client, account);
        Assert.Equal("1000", statement.Code());
        Assert.Equal("0.00", statement["opening_balance"]!.GetValue<string>());
        Assert.Equal("114.00", statement["closing_balance"]!.GetValue<string>());
        Assert.Equal("114.00", (await client.GetJsonAsync("/v2/sms/units", account.ApiKey))["credit_balance"]!.GetValue<string>());
        Assert.Equal(
            [("credit", "10.00", "10.00", null, "opening"), ("debit", "-1.00", "9.00", $"{first}", null), ("debit", "-1.00", "8.00", $"{second}", null),
             ("credit", "5.00", "13.00", null, "admin"), ("topup", "100.00", "113.00", null, "RKTQDM7W6S"), ("refund", "1.00", "114.00", $"{first}", null)],
            Entries(statement).Select(e => (e.Kind, e.Amount, e.Balance, e.MessageId, e.Reference?.Split(':')[0])));
        Assert.All(Entries(statement), e => Assert.True(
            DateTime.TryParseExact(e.Time, "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.None, out _), e.Time));

        var csv = await Csv(client, account, "2026-01-01 00:00:00", Later(TimeSpan.FromHours(1)));
        var lines = csv.TrimEnd('\n').Split('\n');
        Assert.Equal("entry_id,time,kind,amount,balance,message_id,reference", lines[0]);
        Assert.Equal(
            Entries(statement).Select(e => string.Join(',', e.EntryId, e.Time, e.Kind, e.Amount, e.Balance, e.MessageId ?? "", e.Reference ?? "")),
            lines.Skip(1));

        // A range after everything: no entries, and both balances are the balance then.
        var after = await Statement(client, account, Later(TimeSpan.FromSeconds(2)), Later(TimeSpan.FromHours(1)));
        Assert.Equal(("114.00", "114.00", 0), (after["opening_balance"]!.GetValue<string>(), after["closing_balance"]!.GetValue<string>(), Entries(after).Count));
    }

    [Theory]
    [InlineData("")]
    [InlineData("?from=2026-01-01 00:00:00")]
    [InlineData("?from=2026-13-01 00:00:00&to=2026-12-31 00:00:00")]
    [InlineData("?from=2026-01-01T00:00:00&to=2026-12-31 00:00:00")]
    [InlineData("?from=2026-06-02 00:00:00&to=2026-06-01 23:59:59")]
    [InlineData("?from=2024-01-01 00:00:00&to=2026-01-01 00:00:00")]
    public async Task A_bad_range_answers_1019_and_a_bad_key_1006(string query)
    {
        using var client = Factory.CreateClient();
        var account = await Factory.OpenAccountAsync();
        var refused = await client.GetJsonAsync("/v2/sms/statement" + query, account.ApiKey);
        Assert.Equal("""[{"status_code":"1019","status_desc":"Invalid parameters"}]""", refused.ToJsonString());
        if (!query.Contains("2024", StringComparison.Ordinal))
        {
            Assert.Equal("1019", (await client.GetJsonAsync("/v2/sms/statement.csv" + query, account.ApiKey))[0]!.Code());
        }

        var badKey = await client.GetJsonAsync("/v2/sms/statement.csv?from=2026-01-01 00:00:00&to=2026-12-31 00:00:00", "nope");
        Assert.Equal("""[{"status_code":"1006","status_desc":"Invalid API key"}]""", badKey.ToJsonString());
    }

    [Fact]
    public async Task Twenty_concurrent_repeats_of_one_TransID_credit_once_and_a_later_repeat_answers_the_same()
    {
        using var client = Factory.CreateClient();
        var account = await Factory.OpenAccountAsync(credit: 1m);
        var body = Daraja(account.AccountId, "SAB1234XYZ", "250.50");

        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Confirm(client, body)));
        Assert.All(answers, a => Assert.Equal(Accepted, a));
        Assert.Equal(Accepted, await Confirm(client, body));

        Assert.Equal("251.50", (await client.GetJsonAsync("/v2/sms/units", account.ApiKey))["credit_balance"]!.GetValue<string>());
        var topUps = Entries(await Statement(client, account)).Where(e => e.Kind == "topup").ToList();
        Assert.Equal([("250.50", "SAB1234XYZ")], topUps.Select(e => (e.Amount, e.Reference)));
    }

    [Fact]
    public async Task A_repeat_after_the_account_grain_is_reactivated_answers_the_same_and_credits_nothing()
    {
        using var client = Factory.CreateClient();
        var account = await Factory.OpenAccountAsync(credit: 1m);
        var body = Daraja(account.AccountId, "REACT00001", "40.00");
        Assert.Equal(Accepted, await Confirm(client, body));

        await Reactivate();
        Assert.Equal(Accepted, await Confirm(client, body));
        Assert.Equal(Accepted, await Confirm(client, Daraja(account.AccountId, "REACT00001", "99.00")));

        Assert.Equal("41.00", (await client.GetJsonAsync("/v2/sms/units", account.ApiKey))["credit_balance"]!.GetValue<string>());
        Assert.Equal([("40.00", "REACT00001")], Entries(await Statement(client, account)).Where(e => e.Kind == "topup").Select(e => (e.Amount, e.Reference)));
    }

    [Fact]
    public async Task The_paths_without_the_word_mpesa_are_the_same_endpoints_and_share_the_once_per_TransID()
    {
        using var client = Factory.CreateClient();
        var account = await Factory.OpenAccountAsync(credit: 1m);
        var body = Daraja(account.AccountId, "ALIAS00001", "12.00");
        foreach (var path in new[] { "/v2/payments/c2b/validation", "/v2/payments/c2b/confirmation" })
        {
            using var response = await client.PostAsync($"{path}?token={Token}", Json(body));
            Assert.Equal(Accepted, await response.Content.ReadAsStringAsync());
            using var unauthorized = await client.PostAsync(path, Json(body));
            Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
        }

        Assert.Equal(Accepted, await Confirm(client, body));
        Assert.Equal("13.00", (await client.GetJsonAsync("/v2/sms/units", account.ApiKey))["credit_balance"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("")]
    [InlineData("?token=")]
    [InlineData("?token=test-mpesa-callback-token-0124")]
    public async Task A_wrong_or_missing_token_is_401_and_credits_nothing(string query)
    {
        using var client = Factory.CreateClient();
        var account = await Factory.OpenAccountAsync(credit: 1m);
        foreach (var path in new[] { "confirmation", "validation" })
        {
            using var response = await client.PostAsync($"/v2/payments/mpesa/c2b/{path}{query}", Json(Daraja(account.AccountId, "WRONGTOKEN1", "50")));
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        Assert.Equal("1.00", (await client.GetJsonAsync("/v2/sms/units", account.ApiKey))["credit_balance"]!.GetValue<string>());
    }

    [Fact]
    public async Task Validation_accepts_an_open_account_and_both_refuse_an_unknown_one()
    {
        using var client = Factory.CreateClient();
        var account = await Factory.OpenAccountAsync(credit: 1m);
        Assert.Equal(Accepted, await Post(client, "validation", Daraja(account.AccountId, "VALID00001", "10")));
        Assert.Equal(InvalidAccount, await Post(client, "validation", Daraja(987_654_321_987, "VALID00002", "10")));
        Assert.Equal(InvalidAccount, await Confirm(client, Daraja(987_654_321_987, "UNKNOWN001", "10")));
        Assert.Equal(InvalidAccount, await Confirm(client, Daraja(account.AccountId, "UNKNOWN002", "10").Replace($"\"{account.AccountId}\"", "\"ACME\"", StringComparison.Ordinal)));
        Assert.Equal("1.00", (await client.GetJsonAsync("/v2/sms/units", account.ApiKey))["credit_balance"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("{not json", "C2B00016")]
    [InlineData("[]", "C2B00016")]
    [InlineData("""{"BillRefNumber":"{account}","TransAmount":"10"}""", "C2B00016")]
    [InlineData("""{"BillRefNumber":"{account}","TransID":"BAD ID","TransAmount":"10"}""", "C2B00016")]
    [InlineData("""{"BillRefNumber":"{account}","TransID":"AMOUNT0001","TransAmount":"abc"}""", "C2B00013")]
    [InlineData("""{"BillRefNumber":"{account}","TransID":"AMOUNT0002","TransAmount":"-5.00"}""", "C2B00013")]
    [InlineData("""{"BillRefNumber":"{account}","TransID":"AMOUNT0003","TransAmount":"1.005"}""", "C2B00013")]
    [InlineData("""{"BillRefNumber":"{account}","TransID":"AMOUNT0004","TransAmount":"0"}""", "C2B00013")]
    [InlineData("""{"BillRefNumber":"{account}","TransID":"AMOUNT0005","TransAmount":true}""", "C2B00013")]
    public async Task A_malformed_body_or_amount_is_rejected_Daraja_style_and_credits_nothing(string body, string code)
    {
        using var client = Factory.CreateClient();
        var account = await Factory.OpenAccountAsync(credit: 1m);
        var answer = JsonNode.Parse(await Confirm(client, body.Replace("{account}", account.AccountId.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)))!;
        Assert.Equal(code, answer["ResultCode"]!.GetValue<string>());
        Assert.Equal("1.00", (await client.GetJsonAsync("/v2/sms/units", account.ApiKey))["credit_balance"]!.GetValue<string>());
    }

    /// <summary>
    /// Property: for random sequences of sends, refunds (some repeated), admin credits and top-ups (TransIDs drawn from a
    /// small pool, some sent in concurrent bursts), the statement adds up to the cent, its closing balance is the wallet's
    /// and the model's, every accepted message has exactly one debit, every refund and every TransID exactly one entry.
    /// </summary>
    [Fact]
    public async Task Property_statement_sums_and_exactly_once_hold_for_random_sequences()
    {
        using var client = Factory.CreateClient();
        for (var seed = 1; seed <= 6; seed++)
        {
            var random = new Random(seed);
            var account = await Factory.OpenAccountAsync(credit: 100m, price: 1m);
            var expected = 100m;
            var accepted = new List<long>();
            var refunded = new HashSet<long>();
            var topUps = new Dictionary<string, decimal>();
            for (var step = 0; step < 14; step++)
            {
                switch (random.Next(5))
                {
                    case 4:
                        // A new activation reads the wallet back from the ledger; nothing it remembered may be credited twice.
                        await Reactivate();
                        break;
                    case 0:
                        var mobiles = string.Join(',', Enumerable.Range(0, random.Next(1, 4)).Select(i => $"07027398{random.Next(10, 99)}"));
                        var sent = await client.SendSmsAsync(account.ApiKey, new { mobile = mobiles, sender_name = account.SenderId, message = "p" });
                        foreach (var outcome in sent.Where(o => o!.Code() == "1000"))
                        {
                            accepted.Add(long.Parse(outcome!["message_id"]!.GetValue<string>(), CultureInfo.InvariantCulture));
                            expected -= 1m;
                        }

                        break;
                    case 1 when accepted.Count > 0:
                        var message = accepted[random.Next(accepted.Count)];
                        var account_ = Grains.GetGrain<IAccountGrain>(account.AccountId);
                        await Task.WhenAll(Enumerable.Range(0, random.Next(1, 3)).Select(_ => account_.Refund(message, 1m)));
                        if (refunded.Add(message)) expected += 1m;
                        break;
                    case 2:
                        var credit = random.Next(1, 10_000) / 100m;
                        using (var admin = Factory.CreateAdminClient())
                        {
                            var body = $$"""{"amount":{{credit.ToString(CultureInfo.InvariantCulture)}}}""";
                            Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/v2/admin/accounts/{account.AccountId}/credit", Json(body))).StatusCode);
                        }

                        expected += credit;
                        break;
                    case 3:
                        var transId = $"P{seed}T{random.Next(4)}";
                        var amount = topUps.TryGetValue(transId, out var known) ? known : random.Next(1, 100_000) / 100m;
                        var burst = Daraja(account.AccountId, transId, amount.ToString("0.00", CultureInfo.InvariantCulture));
                        var answers = await Task.WhenAll(Enumerable.Range(0, random.Next(1, 5)).Select(_ => Confirm(client, burst)));
                        Assert.All(answers, a => Assert.Equal(Accepted, a));
                        if (topUps.TryAdd(transId, amount)) expected += amount;
                        break;
                }
            }

            var statement = await Statement(client, account);
            var entries = Entries(statement);
            var opening = decimal.Parse(statement["opening_balance"]!.GetValue<string>(), CultureInfo.InvariantCulture);
            var closing = decimal.Parse(statement["closing_balance"]!.GetValue<string>(), CultureInfo.InvariantCulture);
            var context = $"seed {seed}";
            Assert.True(opening + entries.Sum(e => decimal.Parse(e.Amount, CultureInfo.InvariantCulture)) == closing, context);
            Assert.True(expected == closing, $"{context}: expected {expected}, statement closes at {closing}");
            Assert.Equal(Money(expected), (await client.GetJsonAsync("/v2/sms/units", account.ApiKey))["credit_balance"]!.GetValue<string>());
            Assert.True(accepted.Select(id => $"{id}").Order().SequenceEqual(entries.Where(e => e.Kind == "debit").Select(e => e.MessageId!).Order()), context);
            Assert.True(refunded.Select(id => $"{id}").Order().SequenceEqual(entries.Where(e => e.Kind == "refund").Select(e => e.MessageId!).Order()), context);
            Assert.True(topUps.Keys.Order().SequenceEqual(entries.Where(e => e.Kind == "topup").Select(e => e.Reference!).Order()), context);

            // Split at any entry's second: the part before closes where the part from it opens, and each adds up.
            var split = entries[random.Next(entries.Count)].Time;
            var splitAt = DateTime.ParseExact(split, "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
            var before = await Statement(client, account, to: splitAt.AddSeconds(-1).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture));
            var fromSplit = await Statement(client, account, from: split);
            Assert.True(AddsUp(before) && AddsUp(fromSplit), context);
            Assert.Equal(before["closing_balance"]!.GetValue<string>(), fromSplit["opening_balance"]!.GetValue<string>());
            Assert.Equal(entries.Count, Entries(before).Count + Entries(fromSplit).Count);
            Assert.Equal(Money(closing), fromSplit["closing_balance"]!.GetValue<string>());
        }
    }

    private IGrainFactory Grains => Factory.Services.GetRequiredService<IGrainFactory>();

    private Task Reactivate() => Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);

    private static bool AddsUp(JsonNode statement) =>
        decimal.Parse(statement["opening_balance"]!.GetValue<string>(), CultureInfo.InvariantCulture) +
        Entries(statement).Sum(e => decimal.Parse(e.Amount, CultureInfo.InvariantCulture)) ==
        decimal.Parse(statement["closing_balance"]!.GetValue<string>(), CultureInfo.InvariantCulture);

    private static string Money(decimal amount) => amount.ToString("0.00", CultureInfo.InvariantCulture);

    private static string Later(TimeSpan offset) => DateTime.UtcNow.AddHours(3).Add(offset).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    private static Task<JsonNode> Statement(HttpClient client, TestAccount account, string from = "2026-01-01 00:00:00", string? to = null) =>
        client.GetJsonAsync($"/v2/sms/statement?from={Uri.EscapeDataString(from)}&to={Uri.EscapeDataString(to ?? Later(TimeSpan.FromHours(1)))}", account.ApiKey);

    private static async Task<string> Csv(HttpClient client, TestAccount account, string from, string to)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v2/sms/statement.csv?from={Uri.EscapeDataString(from)}&to={Uri.EscapeDataString(to)}");
        request.Headers.Add("h_api_key", account.ApiKey);
        using var response = await client.SendAsync(request);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadAsStringAsync();
    }

    private sealed record Entry(string EntryId, string Time, string Kind, string Amount, string Balance, string? MessageId, string? Reference);

    private static List<Entry> Entries(JsonNode statement) => statement["entries"]!.AsArray().Select(e => new Entry(
        e!["entry_id"]!.GetValue<string>(), e["time"]!.GetValue<string>(), e["kind"]!.GetValue<string>(), e["amount"]!.GetValue<string>(),
        e["balance"]!.GetValue<string>(), e["message_id"]?.GetValue<string>(), e["reference"]?.GetValue<string>())).ToList();

    private static string Daraja(long accountId, string transId, string amount) =>
        $$"""
        {"TransactionType":"Pay Bill","TransID":"{{transId}}","TransTime":"20261203103000","TransAmount":"{{amount}}",
         "BusinessShortCode":"600638","BillRefNumber":"{{accountId}}","InvoiceNumber":"","OrgAccountBalance":"49197.00",
         "ThirdPartyTransID":"","MSISDN":"254708374149","FirstName":"John","MiddleName":"","LastName":"Doe"}
        """;

    private static Task<string> Confirm(HttpClient client, string body) => Post(client, "confirmation", body);

    private static async Task<string> Post(HttpClient client, string path, string body)
    {
        using var response = await client.PostAsync($"/v2/payments/mpesa/c2b/{path}?token={Token}", Json(body));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}

public sealed class EmbeddedMoneyGateway : IAsyncLifetime
{
    public GatewayFactory Factory { get; } = new(settings: WalletMoneyTests.Settings);

    public Task InitializeAsync()
    {
        _ = Factory.Server;
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await Factory.DisposeAsync();
}

public sealed class PostgresMoneyGateway : IAsyncLifetime
{
    private TestDatabase _database = null!;

    public GatewayFactory Factory { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(applySchema: false);
        Factory = new GatewayFactory(_database.ConnectionString, WalletMoneyTests.Settings);
        _ = Factory.Server;
    }

    public async Task DisposeAsync()
    {
        await Factory.DisposeAsync();
        await _database.DisposeAsync();
    }
}

public sealed class EmbeddedWalletMoneyTests(EmbeddedMoneyGateway gateway) : WalletMoneyTests(gateway.Factory), IClassFixture<EmbeddedMoneyGateway>
{
    [Fact]
    public async Task Without_a_callback_token_the_payment_endpoints_are_404()
    {
        await using var unconfigured = new GatewayFactory(settings: new Dictionary<string, string> { ["Taifa:Simulators:Enabled"] = "false" });
        using var client = unconfigured.CreateClient();
        using var response = await client.PostAsync("/v2/payments/mpesa/c2b/confirmation?token=anything", new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task The_callback_token_right_or_wrong_appears_in_no_log_event()
    {
        var capture = new LogCapture();
        var settings = new Dictionary<string, string>(Settings) { ["Serilog:MinimumLevel:Default"] = "Debug" };
        await using var logged = new GatewayFactory(settings: settings, configure: builder => LogCapture.Into(builder, capture));
        using var client = logged.CreateClient();
        var account = await logged.OpenAccountAsync(credit: 1m);
        var wrong = Token + "-wrong";
        foreach (var token in new[] { Token, wrong })
        {
            foreach (var path in new[] { "/v2/payments/c2b/confirmation", "/v2/payments/mpesa/c2b/validation" })
            {
                using var response = await client.PostAsync($"{path}?token={token}", new StringContent(
                    $$"""{"TransID":"LOGGED0001","TransAmount":"5.00","BillRefNumber":"{{account.AccountId}}"}""", Encoding.UTF8, "application/json"));
            }
        }

        await capture.WaitForAsync(e => LogCapture.Text(e).Contains("LOGGED0001", StringComparison.Ordinal), "of the top-up");
        var leaks = capture.Events.Select(LogCapture.Text).Where(text => text.Contains(Token, StringComparison.Ordinal)).ToList();
        Assert.True(leaks.Count == 0, $"the callback token appears in: {string.Join("\n---\n", leaks)}");
    }

    [Fact]
    public async Task A_source_outside_the_allow_list_is_403()
    {
        var settings = new Dictionary<string, string>(Settings) { ["Taifa:Payments:Mpesa:AllowedAddresses:0"] = "196.201.214.0/24" };
        await using var restricted = new GatewayFactory(settings: settings);
        using var client = restricted.CreateClient();
        using var response = await client.PostAsync($"/v2/payments/mpesa/c2b/validation?token={Token}", new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }
}

public sealed class PostgresWalletMoneyTests(PostgresMoneyGateway gateway) : WalletMoneyTests(gateway.Factory), IClassFixture<PostgresMoneyGateway>;
