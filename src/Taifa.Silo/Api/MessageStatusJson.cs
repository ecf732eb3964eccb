using System.Globalization;
using System.Text.Json;
using Taifa.Abstractions;
using Taifa.Abstractions.Messages;
using Taifa.Domain.Money;
using Taifa.Domain.Text;

namespace Taifa.Silo.Api;

/// <summary>The body of GET /v2/sms/status: strings throughout, like the rest of the customer API.</summary>
public static class MessageStatusJson
{
    public static void Write(Utf8JsonWriter writer, MessageRecord message)
    {
        writer.WriteStartObject();
        writer.WriteString("status_code", TaifaStatus.Success.Code());
        writer.WriteString("status_desc", TaifaStatus.Success.Description());
        writer.WriteString("message_id", message.MessageId.ToString(CultureInfo.InvariantCulture));
        writer.WriteString("recipient_id", message.RecipientId.ToString(CultureInfo.InvariantCulture));
        writer.WriteString("mobile_number", message.MobileNumber);
        writer.WriteString("network_id", message.NetworkId.ToString(CultureInfo.InvariantCulture));
        writer.WriteString("sender_name", message.SenderId);
        writer.WriteString("status", WireName(message.Status));
        writer.WriteString("parts", message.Parts.ToString(CultureInfo.InvariantCulture));
        writer.WriteString("message_cost", Money.Format(message.Cost));
        writer.WriteString("encoding", message.Encoding == SmsEncoding.Ucs2 ? "ucs2" : "gsm7");
        writer.WriteString("channel", message.Channel == MessageChannel.Smpp ? "smpp" : "rest");
        writer.WriteString("service_id", message.ServiceId);
        writer.WriteString("accepted_at", NairobiTime.Format(message.AcceptedAt));
        writer.WriteString("submitted_at", message.SubmittedAt is { } submitted ? NairobiTime.Format(submitted) : null);
        writer.WriteString("done_at", message.DoneAt is { } done ? NairobiTime.Format(done) : null);
        writer.WriteString("operator", message.OperatorName);
        writer.WriteString("operator_error_code", message.OperatorErrorCode);
        writer.WriteEndObject();
    }

    public static string WireName(MessageStatus status) => status switch
    {
        MessageStatus.Queued => "queued",
        MessageStatus.Submitted => "submitted",
        MessageStatus.Delivered => "delivered",
        MessageStatus.Undelivered => "undelivered",
        MessageStatus.Expired => "expired",
        MessageStatus.Rejected => "rejected",
        MessageStatus.Failed => "failed",
        MessageStatus.Cancelled => "cancelled",
        _ => "unknown",
    };
}
