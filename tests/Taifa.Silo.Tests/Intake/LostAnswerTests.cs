using System.Collections.Concurrent;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Taifa.Abstractions.Accounts;
using Taifa.Silo.Tests.Infrastructure;
using Taifa.Silo.Tests.Smpp;
using Taifa.Smpp.Pdus;
using Taifa.Smpp.Text;

namespace Taifa.Silo.Tests.Intake;

/// <summary>
/// The account's answer to a send it carried out is lost on the way back, as when the account's silo dies after its
/// write committed (Orleans then fails the pending call with <see cref="SiloUnavailableException"/>).
/// </summary>
public sealed class LoseSendAnswers : IIncomingGrainCallFilter
{
    private readonly ConcurrentDictionary<long, int> _toLose = new();
    private readonly ConcurrentDictionary<long, int> _calls = new();

    /// <summary>Loses the answers of the account's next <paramref name="count"/> sends (int.MaxValue: all of them).</summary>
    public void Lose(long accountId, int count) => _toLose[accountId] = count;

    public int Calls(long accountId) => _calls.GetValueOrDefault(accountId);

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        await context.Invoke();
        if (context.Grain is not IAccountGrain || context.MethodName != nameof(IAccountGrain.Send)) return;
        var accountId = context.TargetId.GetIntegerKey();
        _calls.AddOrUpdate(accountId, 1, (_, n) => n + 1);
        if (_toLose.TryGetValue(accountId, out var left) && left > 0 && _toLose.TryUpdate(accountId, left - 1, left))
        {
            throw new SiloUnavailableException("test: the account's silo died before its answer left");
        }
    }
}

public sealed class LostAnswerGateway() : SmppGatewayBase(
    new Dictionary<string, string> { ["Taifa:Api:SendDeadline"] = "00:00:03" },
    builder => builder.ConfigureServices(services => services.AddSingleton<IIncomingGrainCallFilter>(Filter)))
{
    public static LoseSendAnswers Filter { get; } = new();
}

[Collection(SmppCollection.Name)]
public sealed class LostAnswerTests(LostAnswerGateway gateway) : IClassFixture<LostAnswerGateway>
{
    private const string Mobile = "254702739804";

    [Fact]
    public async Task A_rest_send_whose_answer_was_lost_answers_1000_once_charged()
    {
        var account = await gateway.OpenAccountAsync(10m, 1m);
        LostAnswerGateway.Filter.Lose(account.AccountId, 1);

        var answer = (await gateway.Http.SendSmsAsync(account.ApiKey, new { mobile = Mobile, sender_name = account.SenderId, message = "lost once" })).Single()!;

        Assert.Equal("1000", answer["status_code"]!.GetValue<string>());
        Assert.Equal("9.00", answer["credit_balance"]!.GetValue<string>());
        Assert.Equal(2, LostAnswerGateway.Filter.Calls(account.AccountId));
        Assert.Equal(9m, await gateway.BalanceAsync(account));
        var status = await gateway.Http.GetJsonAsync($"/v2/sms/status?message_id={answer["message_id"]}", account.ApiKey);
        Assert.Equal(answer["message_id"]!.GetValue<string>(), status["message_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_rest_send_with_an_idempotency_key_whose_answer_was_lost_is_charged_once()
    {
        var account = await gateway.OpenAccountAsync(10m, 1m);
        LostAnswerGateway.Filter.Lose(account.AccountId, 1);
        var body = new { mobile = Mobile, sender_name = account.SenderId, message = "lost with a key" };
        var key = Guid.NewGuid().ToString("N");

        var first = await PostWithKeyAsync(account, body, key);
        var repeat = await PostWithKeyAsync(account, body, key);

        Assert.Equal("1000", first["status_code"]!.GetValue<string>());
        Assert.Equal(first["message_id"]!.GetValue<string>(), repeat["message_id"]!.GetValue<string>());
        Assert.Equal(9m, await gateway.BalanceAsync(account));
    }

    [Fact]
    public async Task A_rest_send_with_no_definite_answer_by_the_deadline_gets_no_answer_and_is_charged_once()
    {
        var account = await gateway.OpenAccountAsync(10m, 1m);
        LostAnswerGateway.Filter.Lose(account.AccountId, int.MaxValue);

        await Assert.ThrowsAnyAsync<HttpRequestException>(() =>
            gateway.Http.SendSmsAsync(account.ApiKey, new { mobile = Mobile, sender_name = account.SenderId, message = "never answered" }));

        LostAnswerGateway.Filter.Lose(account.AccountId, 0);
        Assert.True(LostAnswerGateway.Filter.Calls(account.AccountId) > 2);
        Assert.Equal(9m, await gateway.BalanceAsync(account));
    }

    [Fact]
    public async Task A_submit_sm_whose_answer_was_lost_answers_rok_once_charged_and_none_past_the_deadline()
    {
        var account = await gateway.OpenSmppAccountAsync(credit: 10m, price: 1m);
        await using var client = await gateway.ConnectAsync();
        await client.BindAsync(account);

        LostAnswerGateway.Filter.Lose(account.Account.AccountId, 1);
        var response = await client.SubmitAsync(SmppTestClient.Submit(account.SenderId, Mobile, SmsText.Encode(SmsAlphabet.Gsm7, "lost once")));
        Assert.Equal(CommandStatus.Ok, response.CommandStatus);
        Assert.Equal(9m, await gateway.BalanceAsync(account.Account));

        LostAnswerGateway.Filter.Lose(account.Account.AccountId, int.MaxValue);
        await client.SendAsync(SmppTestClient.Submit(account.SenderId, Mobile, SmsText.Encode(SmsAlphabet.Gsm7, "never answered")));
        await Assert.ThrowsAsync<TimeoutException>(() => client.TryReadAsync(TimeSpan.FromSeconds(5)));
        LostAnswerGateway.Filter.Lose(account.Account.AccountId, 0);
        Assert.Equal(8m, await gateway.BalanceAsync(account.Account));
    }

    private async Task<System.Text.Json.Nodes.JsonNode> PostWithKeyAsync(TestAccount account, object body, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v2/sms/sendsms") { Content = JsonContent.Create(body) };
        request.Headers.Add("h_api_key", account.ApiKey);
        request.Headers.Add("Idempotency-Key", key);
        using var response = await gateway.Http.SendAsync(request);
        return System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsArray()[0]!;
    }
}
