using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Taifa.Cluster.Tests.Infrastructure;

/// <summary>An account opened through the admin API.</summary>
public sealed record Account(string AccountId, string ApiKey, string SenderId);

/// <summary>The customer and admin REST APIs of one silo, as a black box.</summary>
public static class Gateway
{
    public const string Mobile = "0702739804";

    public static async Task<Account> OpenAccountAsync(this SiloProcess silo, decimal credit, decimal price, string senderId = "TAIFATEST")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v2/admin/accounts")
        {
            Content = JsonContent.Create(new { name = "Cluster test", credit_balance = credit, price_per_sms = price, sender_ids = new[] { senderId } }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TestCluster.AdminToken);
        using var response = await silo.Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"opening an account on silo {silo.Name} answered {(int)response.StatusCode}: {body}");
        var json = JsonNode.Parse(body)!;
        return new Account(json["account_id"]!.GetValue<string>(), json["api_key"]!.GetValue<string>(), senderId);
    }

    public static async Task<JsonNode> GetAccountAsync(this SiloProcess silo, Account account)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v2/admin/accounts/{account.AccountId}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TestCluster.AdminToken);
        using var response = await silo.Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET account {account.AccountId} on silo {silo.Name} answered {(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body)!;
    }

    public static async Task AddSenderIdAsync(this SiloProcess silo, Account account, string senderId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v2/admin/accounts/{account.AccountId}/sender-ids")
        {
            Content = JsonContent.Create(new { sender_id = senderId }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TestCluster.AdminToken);
        using var response = await silo.Http.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"adding sender ID {senderId} on silo {silo.Name} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>One REST send of one message; the answer's single element, whatever its status code.</summary>
    public static async Task<JsonNode> SendAsync(this SiloProcess silo, Account account, string text, string mobile = Mobile, string? senderId = null)
    {
        var answer = await silo.PostJsonAsync("/v2/sms/sendsms", account, new { mobile, sender_name = senderId ?? account.SenderId, message = text });
        return answer[0]!;
    }

    /// <summary>Sends and insists on 1000; returns the message id.</summary>
    public static async Task<string> SendAcceptedAsync(this SiloProcess silo, Account account, string text, string? senderId = null)
    {
        var answer = await silo.SendAsync(account, text, senderId: senderId);
        Assert.True(answer.Code() == "1000", $"send through silo {silo.Name} answered {answer.ToJsonString()}");
        return answer["message_id"]!.GetValue<string>();
    }

    public static async Task<string> BalanceAsync(this SiloProcess silo, Account account) =>
        (await silo.GetJsonAsync("/v2/sms/units", account))["credit_balance"]!.GetValue<string>();

    public static async Task<JsonNode> StatusAsync(this SiloProcess silo, Account account, string messageId) =>
        await silo.GetJsonAsync($"/v2/sms/status?message_id={messageId}", account);

    public static async Task SetSmppCredentialsAsync(this SiloProcess silo, Account account, string username, string password)
    {
        var answer = await silo.PostJsonAsync("/v2/sms/smpp-credentials", account, new { smpp_username = username, smpp_password = password });
        Assert.True(answer["smpp_username"]?.GetValue<string>() == username, $"smpp-credentials on silo {silo.Name} answered {answer.ToJsonString()}");
    }

    /// <summary>
    /// Polls <c>status</c> for every id until all are <paramref name="status"/>; on timeout, says how many are in
    /// which state and names a few stragglers.
    /// </summary>
    public static async Task<TimeSpan> WaitForStatusAsync(this SiloProcess silo, Account account, IReadOnlyCollection<string> messageIds, string status, TimeSpan timeout)
    {
        var waited = Stopwatch.StartNew();
        var pending = messageIds.ToHashSet();
        var last = new Dictionary<string, string>();
        using var parallel = new SemaphoreSlim(16);
        while (true)
        {
            var checks = pending.Select(async id =>
            {
                await parallel.WaitAsync();
                try
                {
                    var json = await silo.StatusAsync(account, id);
                    return (id, state: json is JsonObject ? json["status"]?.GetValue<string>() ?? json.ToJsonString() : json.ToJsonString());
                }
                catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
                {
                    return (id, state: $"no answer ({exception.GetType().Name})");
                }
                finally
                {
                    parallel.Release();
                }
            });
            foreach (var (id, state) in await Task.WhenAll(checks))
            {
                last[id] = state;
                if (state == status) pending.Remove(id);
            }

            if (pending.Count == 0) return waited.Elapsed;
            if (waited.Elapsed > timeout)
            {
                var byState = string.Join(", ", pending.GroupBy(id => last[id]).Select(g => $"{g.Count()} {g.Key}"));
                throw new TimeoutException(
                    $"{pending.Count} of {messageIds.Count} messages did not reach '{status}' through silo {silo.Name} within {timeout}: {byState}; " +
                    $"e.g. {string.Join(", ", pending.Take(5))}");
            }

            await Task.Delay(250);
        }
    }

    public static string? Code(this JsonNode node) => node["status_code"]?.GetValue<string>();

    /// <summary>Shillings with two decimals, as the API writes them.</summary>
    public static string Money(decimal amount) => amount.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture);

    public static async Task<JsonNode> PostJsonAsync(this SiloProcess silo, string path, Account account, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Add("h_api_key", account.ApiKey);
        using var response = await silo.Http.SendAsync(request);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    private static async Task<JsonNode> GetJsonAsync(this SiloProcess silo, string path, Account account)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("h_api_key", account.ApiKey);
        using var response = await silo.Http.SendAsync(request);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }
}
