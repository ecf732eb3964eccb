using System.Globalization;
using System.Text.Json;
using Taifa.Abstractions;
using Taifa.Abstractions.Messages;
using Taifa.Domain.Money;
using Taifa.Domain.Text;

namespace Taifa.Silo.Api;

/// <summary>
/// The body of GET /v2/sms/status, each message of GET /v2/sms/messages and the dlr_url callback: strings throughout,
/// like the rest of the customer API.
/// </summary>
public static class MessageStatusJson
{
    /// <summary>The message's own fields, in order: the status object after status_code and status_desc, and the columns of messages.csv.</summary>
    public static readonly IReadOnlyList<string> FieldNames =
    [
        "message_id", "recipient_id", "mobile_number", "network_id", "sender_name", "status", "parts", "message_cost", "encoding",
        "channel", "service_id", "accepted_at", "submitted_at", "done_at", "operator", "operator_error_code",
        "send_at", "expires_at",
    ];

    public static void Write(Utf8JsonWriter writer, MessageRecord message)
    {
        writer.WriteStartObject();
        writer.WriteString("status_code", TaifaStatus.Success.Code());
        writer.WriteString("status_desc", TaifaStatus.Success.Description());
        var values = FieldValues(message);
        for (var i = 0; i < values.Length; i++) writer.WriteString(FieldNames[i], values[i]);
        writer.WriteEndObject();
    }

    /// <summary>The values of <see cref="FieldNames"/> for one message (null: JSON null, an empty CSV field).</summary>
    public static string?[] FieldValues(MessageRecord message) =>
    [
        message.MessageId.ToString(CultureInfo.InvariantCulture),
        message.RecipientId.ToString(CultureInfo.InvariantCulture),
        message.MobileNumber,
        message.NetworkId.ToString(CultureInfo.InvariantCulture),
        message.SenderId,
        WireName(message.Status),
        message.Parts.ToString(CultureInfo.InvariantCulture),
        Money.Format(message.Cost),
        message.Encoding == SmsEncoding.Ucs2 ? "ucs2" : "gsm7",
        message.Channel == MessageChannel.Smpp ? "smpp" : "rest",
        message.ServiceId,
        NairobiTime.Format(message.AcceptedAt),
        message.SubmittedAt is { } submitted ? NairobiTime.Format(submitted) : null,
        message.DoneAt is { } done ? NairobiTime.Format(done) : null,
        message.OperatorName,
        message.OperatorErrorCode,
        message.SendAt is { } sendAt ? NairobiTime.Format(sendAt) : null,
        message.ExpiresAt is { } expiresAt ? NairobiTime.Format(expiresAt) : null,
    ];

    public static bool TryParseWireName(string text, out MessageStatus status)
    {
        status = Enum.GetValues<MessageStatus>().FirstOrDefault(s => WireName(s) == text);
        return WireName(status) == text;
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
        MessageStatus.Scheduled => "scheduled",
        _ => "unknown",
    };
}
