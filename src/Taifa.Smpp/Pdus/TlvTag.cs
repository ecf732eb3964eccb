namespace Taifa.Smpp.Pdus;

/// <summary>Optional parameter tags of SMPP v3.4 (§5.3.2).</summary>
public static class TlvTag
{
    public const ushort DestAddrSubunit = 0x0005;
    public const ushort DestNetworkType = 0x0006;
    public const ushort DestBearerType = 0x0007;
    public const ushort DestTelematicsId = 0x0008;
    public const ushort SourceAddrSubunit = 0x000D;
    public const ushort SourceNetworkType = 0x000E;
    public const ushort SourceBearerType = 0x000F;
    public const ushort SourceTelematicsId = 0x0010;
    public const ushort QosTimeToLive = 0x0017;
    public const ushort PayloadType = 0x0019;
    public const ushort AdditionalStatusInfoText = 0x001D;
    public const ushort ReceiptedMessageId = 0x001E;
    public const ushort MsMsgWaitFacilities = 0x0030;
    public const ushort PrivacyIndicator = 0x0201;
    public const ushort SourceSubaddress = 0x0202;
    public const ushort DestSubaddress = 0x0203;
    public const ushort UserMessageReference = 0x0204;
    public const ushort UserResponseCode = 0x0205;
    public const ushort SourcePort = 0x020A;
    public const ushort DestinationPort = 0x020B;
    public const ushort SarMsgRefNum = 0x020C;
    public const ushort LanguageIndicator = 0x020D;
    public const ushort SarTotalSegments = 0x020E;
    public const ushort SarSegmentSeqnum = 0x020F;
    public const ushort ScInterfaceVersion = 0x0210;
    public const ushort CallbackNumPresInd = 0x0302;
    public const ushort CallbackNumAtag = 0x0303;
    public const ushort NumberOfMessages = 0x0304;
    public const ushort CallbackNum = 0x0381;
    public const ushort DpfResult = 0x0420;
    public const ushort SetDpf = 0x0421;
    public const ushort MsAvailabilityStatus = 0x0422;
    public const ushort NetworkErrorCode = 0x0423;
    public const ushort MessagePayload = 0x0424;
    public const ushort DeliveryFailureReason = 0x0425;
    public const ushort MoreMessagesToSend = 0x0426;
    public const ushort MessageState = 0x0427;
    public const ushort UssdServiceOp = 0x0501;
    public const ushort DisplayTime = 0x1201;
    public const ushort SmsSignal = 0x1203;
    public const ushort MsValidity = 0x1204;
    public const ushort AlertOnMessageDelivery = 0x130C;
    public const ushort ItsReplyType = 0x1380;
    public const ushort ItsSessionInfo = 0x1383;

    /// <summary>
    /// Whether <paramref name="value"/> has a length the spec allows for <paramref name="tag"/>. Fixed-size integers
    /// must match exactly and C-octet strings must end in their NUL within their maximum; other tags (and tags we do not
    /// know) accept any length.
    /// </summary>
    public static bool IsValidValue(ushort tag, ReadOnlySpan<byte> value) => tag switch
    {
        AlertOnMessageDelivery => value.IsEmpty,
        DestAddrSubunit or DestNetworkType or DestBearerType or SourceAddrSubunit or SourceNetworkType
            or SourceBearerType or PayloadType or MsMsgWaitFacilities or PrivacyIndicator or UserResponseCode
            or LanguageIndicator or SarTotalSegments or SarSegmentSeqnum or ScInterfaceVersion or CallbackNumPresInd
            or NumberOfMessages or DpfResult or SetDpf or MsAvailabilityStatus or DeliveryFailureReason
            or MoreMessagesToSend or MessageState or UssdServiceOp or DisplayTime or MsValidity or ItsReplyType
            => value.Length == 1,
        DestTelematicsId or UserMessageReference or SourcePort or DestinationPort or SarMsgRefNum or SmsSignal
            or ItsSessionInfo => value.Length == 2,
        NetworkErrorCode => value.Length == 3,
        QosTimeToLive => value.Length == 4,
        ReceiptedMessageId => IsCString(value, 65),
        AdditionalStatusInfoText => IsCString(value, 256),
        _ => true,
    };

    private static bool IsCString(ReadOnlySpan<byte> value, int maxLength) =>
        value.Length is > 0 && value.Length <= maxLength && value.IndexOf((byte)0) == value.Length - 1;
}
