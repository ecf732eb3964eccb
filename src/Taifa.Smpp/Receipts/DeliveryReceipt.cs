using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Taifa.Smpp.Pdus;
using Taifa.Smpp.Text;

namespace Taifa.Smpp.Receipts;

/// <summary>
/// An SMSC delivery receipt: the de-facto standard text of SMPP v3.4 Appendix B
/// (<c>id:IIIIIIIIII sub:SSS dlvrd:DDD submit date:YYMMDDhhmm done date:YYMMDDhhmm stat:DDDDDDD err:E text:...</c>)
/// and the receipted_message_id / message_state TLVs that carry the same facts.
/// </summary>
/// <param name="MessageId">The id the SMSC gave the message in its submit_sm_resp (in whatever base it chose).</param>
/// <param name="State">What became of the message; <see cref="MessageState.Unknown"/> when the receipt does not say.</param>
public sealed partial record DeliveryReceipt(string MessageId, MessageState State)
{
    /// <summary>How many characters of the original message the text field carries by convention.</summary>
    public const int TextLength = 20;

    /// <summary>The sub: field, the number of messages originally submitted (usually 1).</summary>
    public int? Submitted { get; init; }

    /// <summary>The dlvrd: field, the number of them delivered.</summary>
    public int? Delivered { get; init; }

    /// <summary>When the message was submitted, on the SMSC's wall clock (the text carries no zone).</summary>
    public DateTime? SubmitDate { get; init; }

    /// <summary>When the message reached its final state, on the SMSC's wall clock.</summary>
    public DateTime? DoneDate { get; init; }

    /// <summary>The err: field as sent: a network- or SMSC-specific code, usually three digits.</summary>
    public string? ErrorCode { get; init; }

    /// <summary>The text: field: the start of the original message.</summary>
    public string? Text { get; init; }

    public bool IsFinal => ReceiptStat.IsFinal(State);

    /// <summary>
    /// The receipt text in the standard field order. Counts are padded to three digits, dates written as
    /// YYMMDDhhmm, a missing error code as 000, and the text cut to <see cref="TextLength"/> characters.
    /// </summary>
    public string Format()
    {
        var text = new StringBuilder(128);
        text.Append("id:").Append(MessageId)
            .Append(" sub:").Append(FormatCount(Submitted ?? 1))
            .Append(" dlvrd:").Append(FormatCount(Delivered ?? (State == MessageState.Delivered ? 1 : 0)))
            .Append(" submit date:").Append(FormatDate(SubmitDate))
            .Append(" done date:").Append(FormatDate(DoneDate ?? SubmitDate))
            .Append(" stat:").Append(ReceiptStat.ToWord(State))
            .Append(" err:").Append(string.IsNullOrEmpty(ErrorCode) ? "000" : ErrorCode)
            .Append(" text:");
        if (Text is not null)
        {
            text.Append(Text.AsSpan(0, Math.Min(Text.Length, TextLength)));
        }

        return text.ToString();
    }

    /// <summary>
    /// Reads receipt text leniently: fields in any order and case, any of them missing except id, ids of any length,
    /// dates of 10 or 12 digits, <c>submit_date</c> and <c>done_date</c> spellings. Everything after <c>text:</c> is
    /// the text, so a field written after it is not seen. A field whose value cannot be read is left null.
    /// </summary>
    /// <returns>False when there is no non-empty id field.</returns>
    public static bool TryParse(string? text, [NotNullWhen(true)] out DeliveryReceipt? receipt)
    {
        receipt = null;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        string? id = null, stat = null, err = null, body = null;
        int? submitted = null, delivered = null;
        DateTime? submitDate = null, doneDate = null;
        var keys = FieldKey().Matches(text);
        for (var i = 0; i < keys.Count; i++)
        {
            var key = keys[i].Groups["key"].Value.ToUpperInvariant();
            var start = keys[i].Index + keys[i].Length;
            if (key == "TEXT")
            {
                body = text[start..];
                break;
            }

            var end = i + 1 < keys.Count ? keys[i + 1].Index : text.Length;
            var value = text[start..end].Trim();
            switch (key[0])
            {
                case 'I':
                    id ??= value;
                    break;
                case 'S' when key == "SUB":
                    submitted ??= ParseCount(value);
                    break;
                case 'S' when key == "STAT":
                    stat ??= value;
                    break;
                case 'S':
                    submitDate ??= ParseDate(value);
                    break;
                case 'D' when key.StartsWith("DONE", StringComparison.Ordinal):
                    doneDate ??= ParseDate(value);
                    break;
                case 'D':
                    delivered ??= ParseCount(value);
                    break;
                case 'E':
                    err ??= value.Length == 0 ? null : value;
                    break;
            }
        }

        if (string.IsNullOrEmpty(id))
        {
            return false;
        }

        var state = ReceiptStat.TryParse(stat, out var known) ? known : MessageState.Unknown;
        receipt = new DeliveryReceipt(id, state)
        {
            Submitted = submitted,
            Delivered = delivered,
            SubmitDate = submitDate,
            DoneDate = doneDate,
            ErrorCode = err,
            Text = body,
        };
        return true;
    }

    /// <summary>
    /// The receipt a deliver_sm carries, from its text and its receipted_message_id and message_state TLVs; where both
    /// give a value the TLV wins, as it is typed and cannot be misread.
    /// </summary>
    /// <returns>
    /// Null when the deliver_sm is not a receipt: esm_class says neither SMSC delivery receipt (0x04) nor intermediate
    /// notification (0x20) and there is no receipted_message_id, or no message id can be found at all.
    /// </returns>
    public static DeliveryReceipt? FromDeliverSm(DeliverSm deliverSm)
    {
        var tlvs = deliverSm.OptionalParameters;
        var tlvId = tlvs.ReceiptedMessageId;
        var messageType = deliverSm.EsmClass & EsmClass.MessageTypeMask;
        if (messageType is not (EsmClass.DeliveryReceipt or IntermediateNotification) && tlvId is null)
        {
            return null;
        }

        var text = MessageContent.GetText(deliverSm) ?? Encoding.Latin1.GetString(MessageContent.GetUserData(deliverSm).Span);
        var parsed = TryParse(text, out var fromText) ? fromText : null;
        var id = string.IsNullOrEmpty(tlvId) ? parsed?.MessageId : tlvId;
        if (id is null)
        {
            return null;
        }

        var state = tlvs.MessageState ?? parsed?.State ?? MessageState.Unknown;
        return parsed is null ? new DeliveryReceipt(id, state) : parsed with { MessageId = id, State = state };
    }

    /// <summary>
    /// A deliver_sm that carries this receipt: esm_class 0x04, the <see cref="Format"/> text in short_message
    /// (data_coding 0, ASCII; other characters become '?'), and the receipted_message_id and message_state TLVs.
    /// </summary>
    /// <param name="source">The receipt's source_addr: the mobile the original message went to.</param>
    /// <param name="destination">The receipt's destination_addr: the sender of the original message.</param>
    public DeliverSm ToDeliverSm(SmppAddress source, SmppAddress destination)
    {
        var deliverSm = new DeliverSm
        {
            Source = source,
            Destination = destination,
            EsmClass = EsmClass.DeliveryReceipt,
            DataCoding = DataCoding.SmscDefault,
            ShortMessage = ToAscii(Format()),
        };
        deliverSm.OptionalParameters.ReceiptedMessageId = MessageId;
        deliverSm.OptionalParameters.MessageState = State;
        return deliverSm;
    }

    public override string ToString() => Format();

    /// <summary>esm_class message type of an intermediate delivery notification (§5.2.12).</summary>
    private const int IntermediateNotification = 0x20;

    private static string FormatCount(int count) => count.ToString("000", CultureInfo.InvariantCulture);

    private static string FormatDate(DateTime? date) =>
        date?.ToString("yyMMddHHmm", CultureInfo.InvariantCulture) ?? "0000000000";

    private static int? ParseCount(string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var count) ? count : null;

    private static DateTime? ParseDate(string value)
    {
        var format = value.Length switch
        {
            10 => "yyMMddHHmm",
            12 => "yyMMddHHmmss",
            _ => null,
        };
        return format is not null && DateTime.TryParseExact(value, format, CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? date
            : null;
    }

    private static byte[] ToAscii(string text)
    {
        var bytes = new byte[text.Length];
        for (var i = 0; i < text.Length; i++)
        {
            bytes[i] = text[i] is >= ' ' and <= '~' ? (byte)text[i] : (byte)'?';
        }

        return bytes;
    }

    /// <summary>A field name and its colon at the start of the text or after white space.</summary>
    [GeneratedRegex(@"(?<=^|\s)(?<key>id|sub|dlvrd|submit[ _]?date|done[ _]?date|stat|err|text)\s*:", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex FieldKey();
}
