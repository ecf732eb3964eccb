using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Taifa.LoadTest.Gateway;

/// <summary>The parts of the admin API the tool needs: open a bench account and read its balance.</summary>
public sealed class AdminClient(HttpClient http, string adminToken)
{
    public sealed record OpenedAccount(long AccountId, string ApiKey, string SenderId);

    public async Task<OpenedAccount> OpenAccountAsync(string name, decimal credit, decimal pricePerSms, string senderId, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v2/admin/accounts")
        {
            Content = JsonContent.Create(new Dictionary<string, object>
            {
                ["name"] = name,
                ["credit_balance"] = credit.ToString("0.00", CultureInfo.InvariantCulture),
                ["price_per_sms"] = pricePerSms.ToString("0.00", CultureInfo.InvariantCulture),
                ["sender_ids"] = new[] { senderId },
            }),
        };
        using var response = await SendAsync(request, cancellationToken);
        using var document = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync(cancellationToken));
        var root = document.RootElement;
        return new OpenedAccount(
            long.Parse(root.GetProperty("account_id").GetString()!, NumberStyles.None, CultureInfo.InvariantCulture),
            root.GetProperty("api_key").GetString()!,
            senderId);
    }

    public async Task<decimal> BalanceAsync(long accountId, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v2/admin/accounts/{accountId.ToString(CultureInfo.InvariantCulture)}");
        using var response = await SendAsync(request, cancellationToken);
        using var document = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync(cancellationToken));
        return CustomerClient.ParseMoney(document.RootElement.GetProperty("credit_balance").GetString());
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
        var response = await http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            var detail = await response.Content.ReadAsStringAsync(cancellationToken);
            response.Dispose();
            throw new InvalidOperationException($"Admin API {request.Method} {request.RequestUri} answered {(int)response.StatusCode}: {detail}");
        }

        return response;
    }
}
