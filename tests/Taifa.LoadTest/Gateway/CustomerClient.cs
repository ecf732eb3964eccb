using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Taifa.LoadTest.Gateway;

/// <summary>The customer API (/v2/sms) as one account sees it, over a shared keep-alive connection pool.</summary>
public sealed class CustomerClient(HttpClient http, string apiKey)
{
    private const string ApiKeyHeader = "h_api_key";
    private static readonly MediaTypeHeaderValue JsonMediaType = new("application/json");

    /// <summary>POST /v2/sms/sendsms. Throws <see cref="HttpRequestException"/> on a non-200 answer.</summary>
    public async Task<IReadOnlyList<SendOutcome>> SendAsync(string mobiles, string senderName, string message, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v2/sms/sendsms");
        request.Headers.TryAddWithoutValidation(ApiKeyHeader, apiKey);
        var body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string>
        {
            ["mobile"] = mobiles,
            ["sender_name"] = senderName,
            ["message"] = message,
        });
        request.Content = new ByteArrayContent(body) { Headers = { ContentType = JsonMediaType } };
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        response.EnsureSuccessStatusCode();
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        return ParseSendAnswer(bytes);
    }

    /// <summary>GET /v2/sms/status: the status_code and, when found, the recorded message_cost.</summary>
    public async Task<(string StatusCode, long MessageId, decimal MessageCost)> StatusAsync(long messageId, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v2/sms/status?message_id={messageId.ToString(CultureInfo.InvariantCulture)}");
        request.Headers.TryAddWithoutValidation(ApiKeyHeader, apiKey);
        using var response = await http.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
        using var document = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync(cancellationToken));
        var root = document.RootElement;
        var status = root.GetProperty("status_code").GetString() ?? "";
        return status != StatusCodes.Success
            ? (status, 0, 0m)
            : (status, ParseLong(root.GetProperty("message_id").GetString()), ParseMoney(root.GetProperty("message_cost").GetString()));
    }

    /// <summary>POST /v2/sms/smpp-credentials: registers (or replaces) this account's SMPP system_id and password.</summary>
    public async Task SetSmppCredentialsAsync(string systemId, string password, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v2/sms/smpp-credentials");
        request.Headers.TryAddWithoutValidation(ApiKeyHeader, apiKey);
        var body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string>
        {
            ["smpp_username"] = systemId,
            ["smpp_password"] = password,
        });
        request.Content = new ByteArrayContent(body) { Headers = { ContentType = JsonMediaType } };
        using var response = await http.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
        using var document = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync(cancellationToken));
        if (!document.RootElement.TryGetProperty("smpp_username", out var echoed) || echoed.GetString() != systemId)
        {
            throw new InvalidOperationException($"smpp-credentials answered {document.RootElement.GetRawText()}");
        }
    }

    /// <summary>GET /v2/sms/units: the balance as the customer sees it.</summary>
    public async Task<decimal> BalanceAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v2/sms/units");
        request.Headers.TryAddWithoutValidation(ApiKeyHeader, apiKey);
        using var response = await http.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
        using var document = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync(cancellationToken));
        var root = document.RootElement;
        if (!root.TryGetProperty("credit_balance", out var balance))
        {
            throw new InvalidOperationException($"/v2/sms/units answered without a balance: {root.GetRawText()}");
        }

        return ParseMoney(balance.GetString());
    }

    /// <summary>Reads the answer array with a forward-only reader: this runs once per request at full load.</summary>
    internal static SendOutcome[] ParseSendAnswer(ReadOnlySpan<byte> json)
    {
        var outcomes = new List<SendOutcome>(1);
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
        {
            throw new InvalidOperationException("sendsms answered something other than a JSON array.");
        }

        string status = "";
        long messageId = 0;
        decimal cost = 0m;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject:
                    (status, messageId, cost) = ("", 0, 0m);
                    break;
                case JsonTokenType.EndObject:
                    outcomes.Add(new SendOutcome(status, status == StatusCodes.Success ? messageId : 0, status == StatusCodes.Success ? cost : 0m));
                    break;
                case JsonTokenType.PropertyName when reader.ValueTextEquals("status_code"u8):
                    reader.Read();
                    status = reader.GetString() ?? "";
                    break;
                case JsonTokenType.PropertyName when reader.ValueTextEquals("message_id"u8):
                    reader.Read();
                    messageId = ParseLong(reader.GetString());
                    break;
                case JsonTokenType.PropertyName when reader.ValueTextEquals("message_cost"u8):
                    reader.Read();
                    cost = ParseMoney(reader.GetString());
                    break;
                case JsonTokenType.PropertyName:
                    reader.Read();
                    reader.Skip();
                    break;
            }
        }

        return [.. outcomes];
    }

    internal static decimal ParseMoney(string? text) =>
        decimal.Parse(text ?? throw new InvalidOperationException("missing amount"), NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);

    private static long ParseLong(string? text) =>
        long.Parse(text ?? throw new InvalidOperationException("missing id"), NumberStyles.None, CultureInfo.InvariantCulture);
}
