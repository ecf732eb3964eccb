using Taifa.Abstractions.Messages;
using Taifa.Abstractions.Smpp;
using Taifa.Domain.Money;
using Taifa.Grains.Accounts;
using Taifa.Grains.Messages;
using Taifa.Silo.Api;

namespace Taifa.Silo.Dispatch;

/// <summary>Final statuses to customers: a JSON POST to the message's dlr_url, and a deliver_sm receipt through the account's SMPP receipt outbox; low-balance alerts as a JSON POST.</summary>
public sealed class CustomerNotifier(IHttpClientFactory http, IGrainFactory grains) : ICustomerNotifier
{
    public const string HttpClientName = "dlr";

    public async Task<bool> PostStatusAsync(MessageRecord message, CancellationToken cancellationToken)
    {
        if (message.DlrUrl is null) return true;
        return await PostJsonAsync(message.DlrUrl, writer => MessageStatusJson.Write(writer, message), cancellationToken);
    }

    public Task<bool> PostLowBalanceAsync(LowBalanceNotice notice, CancellationToken cancellationToken) =>
        PostJsonAsync(notice.Url, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("event", "low_balance");
            writer.WriteString("credit_balance", Money.Format(notice.CreditBalance));
            writer.WriteString("threshold", Money.Format(notice.Threshold));
            writer.WriteEndObject();
        }, cancellationToken);

    /// <summary>Through the client whose handler connects only where <see cref="Intake.CallbackUrlPolicy"/> allows.</summary>
    private async Task<bool> PostJsonAsync(string url, Action<System.Text.Json.Utf8JsonWriter> write, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(SmsResponses.JsonBytes(write));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var response = await http.CreateClient(HttpClientName).PostAsync(new Uri(url), content, cancellationToken);
        return response.IsSuccessStatusCode;
    }

    /// <summary>Parks the receipt in the account's outbox, which delivers it to a receiving session whenever one is bound.</summary>
    public async Task<bool> SendSmppReceiptAsync(MessageRecord message, CancellationToken cancellationToken)
    {
        await grains.GetGrain<ISmppReceiptOutboxGrain>(message.AccountId).Park(new SmppReceipt(
            message.MessageId, message.MobileNumber, message.SenderId, message.Status,
            message.SubmittedAt ?? message.AcceptedAt, message.DoneAt ?? message.UpdatedAt, message.OperatorErrorCode, message.Text));
        return true;
    }
}
