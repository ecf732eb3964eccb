using System.Globalization;
using Taifa.Abstractions.Messages;
using Taifa.Abstractions.Smpp;
using Taifa.Domain.Text;
using Taifa.Smpp.Pdus;
using Taifa.Smpp.Text;

namespace Taifa.Silo.Smpp;

/// <summary>
/// A delivery receipt as deliver_sm (esm_class 0x04): the de-facto receipt text of SMPP v3.4 appendix B and the
/// receipted_message_id and message_state TLVs, from our mobile back to the customer's sender ID.
/// </summary>
public static class ReceiptPdu
{
    public static DeliverSm Create(SmppReceipt receipt)
    {
        if (receipt.MobileOriginated) return MobileOriginated(receipt);
        var state = SmppMessageStates.Of(receipt.Status);
        var word = SmppMessageStates.ReceiptWord(state);
        var messageId = receipt.MessageId.ToString(CultureInfo.InvariantCulture);
        var text = string.Create(CultureInfo.InvariantCulture,
            $"id:{messageId} sub:001 dlvrd:{(state == MessageState.Delivered ? "001" : "000")} submit date:{receipt.SubmittedAt.UtcDateTime:yyMMddHHmm} done date:{receipt.DoneAt.UtcDateTime:yyMMddHHmm} stat:{word} err:{Grains.Dispatch.OperatorErrorCodes.Normalize(receipt.ErrorCode) ?? "000"} text:{Excerpt(receipt.Text)}");

        var deliver = new DeliverSm
        {
            Source = SmppAddress.International(receipt.MobileNumber),
            Destination = receipt.SenderId.All(char.IsAsciiDigit)
                ? SmppAddress.International(receipt.SenderId)
                : SmppAddress.Alphanumeric(receipt.SenderId),
            EsmClass = EsmClass.DeliveryReceipt,
            DataCoding = DataCoding.SmscDefault,
            ShortMessage = SmsText.Encode(SmsAlphabet.Gsm7, text),
        };
        deliver.OptionalParameters.ReceiptedMessageId = messageId;
        deliver.OptionalParameters.MessageState = state;
        return deliver;
    }

    /// <summary>
    /// An inbound message as a plain deliver_sm (esm_class 0) from the subscriber to the account's number: GSM 7-bit
    /// when the default alphabet holds the text, else UCS-2; a text longer than short_message's 254 octets travels
    /// whole in message_payload, so the customer gets one PDU per inbound message.
    /// </summary>
    private static DeliverSm MobileOriginated(SmppReceipt inbound)
    {
        var alphabet = SmsText.ChooseAlphabet(inbound.Text);
        var body = SmsText.Encode(alphabet, inbound.Text);
        var deliver = new DeliverSm
        {
            Source = SmppAddress.International(inbound.MobileNumber),
            Destination = SmppAddress.International(inbound.SenderId),
            EsmClass = 0,
            DataCoding = SmsText.GetDataCoding(alphabet),
        };
        if (body.Length <= MaxShortMessageLength) deliver.ShortMessage = body;
        else deliver.OptionalParameters.MessagePayload = body;
        return deliver;
    }

    private const int MaxShortMessageLength = 254;

    /// <summary>The first 20 characters, keeping only those the GSM default alphabet can carry.</summary>
    private static string Excerpt(string text)
    {
        var kept = new string([.. text.Where(c => Gsm7.IsEncodable([c]))]);
        return kept.Length <= 20 ? kept : kept[..20];
    }
}
