using Taifa.Smpp.Pdus;

namespace Taifa.Smpp.Text;

/// <summary>Reads the content of submit_sm, deliver_sm, submit_multi and data_sm whichever way it travels.</summary>
public static class MessageContent
{
    /// <summary>message_payload when short_message is empty and the TLV is present, otherwise short_message.</summary>
    public static ReadOnlyMemory<byte> GetUserData(Pdu pdu) => pdu switch
    {
        ShortMessageRequest sm when !sm.ShortMessage.IsEmpty => sm.ShortMessage,
        ShortMessageRequest or DataSm => pdu.OptionalParametersIfAny?.MessagePayload ?? ReadOnlyMemory<byte>.Empty,
        _ => ReadOnlyMemory<byte>.Empty,
    };

    /// <summary>The concatenation of the message from the sar_* TLVs, or else from its UDH.</summary>
    public static ConcatenationInfo? GetConcatenation(Pdu pdu)
    {
        var tlvs = pdu.OptionalParametersIfAny;
        if (tlvs is not null && tlvs.SarMsgRefNum is { } reference && tlvs.SarTotalSegments is { } total && tlvs.SarSegmentSeqnum is { } part)
        {
            var info = new ConcatenationInfo(reference, total, part);
            return info.IsValid ? info : null;
        }

        return HasUserDataHeader(pdu) ? UserDataHeader.FindConcatenation(GetUserData(pdu).Span) : null;
    }

    /// <returns>The decoded text without any UDH, or null for binary content or an unreadable data_coding.</returns>
    public static string? GetText(Pdu pdu)
    {
        var userData = GetUserData(pdu).Span;
        if (HasUserDataHeader(pdu))
        {
            var headerLength = UserDataHeader.GetLength(userData);
            userData = headerLength < 0 ? [] : userData[headerLength..];
        }

        return pdu switch
        {
            ShortMessageRequest sm => SmsText.Decode(sm.DataCoding, userData),
            DataSm data => SmsText.Decode(data.DataCoding, userData),
            _ => null,
        };
    }

    private static bool HasUserDataHeader(Pdu pdu)
    {
        var esmClass = pdu switch
        {
            ShortMessageRequest sm => sm.EsmClass,
            DataSm data => data.EsmClass,
            _ => 0,
        };
        return (esmClass & EsmClass.UdhIndicator) != 0;
    }
}
