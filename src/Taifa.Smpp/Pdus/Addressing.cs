namespace Taifa.Smpp.Pdus;

/// <summary>Type of number of an SMPP address (§5.2.5).</summary>
public enum TypeOfNumber : byte
{
    Unknown = 0,
    International = 1,
    National = 2,
    NetworkSpecific = 3,
    SubscriberNumber = 4,
    Alphanumeric = 5,
    Abbreviated = 6,
}

/// <summary>Numbering plan indicator of an SMPP address (§5.2.6).</summary>
public enum NumberingPlanIndicator : byte
{
    Unknown = 0,
    Isdn = 1,
    Data = 3,
    Telex = 4,
    LandMobile = 6,
    National = 8,
    Private = 9,
    Ermes = 10,
    Internet = 14,
    WapClientId = 18,
}

/// <summary>message_state of query_sm_resp and the message_state TLV (§5.2.28).</summary>
public enum MessageState : byte
{
    Scheduled = 0,
    Enroute = 1,
    Delivered = 2,
    Expired = 3,
    Deleted = 4,
    Undeliverable = 5,
    Accepted = 6,
    Unknown = 7,
    Rejected = 8,
}

/// <summary>Bits of esm_class (§5.2.12).</summary>
public static class EsmClass
{
    public const byte MessageModeMask = 0x03;
    public const byte MessageTypeMask = 0x3C;

    /// <summary>Message type: the short message is an SMSC delivery receipt.</summary>
    public const byte DeliveryReceipt = 0x04;

    /// <summary>UDHI: the short message (or message_payload) starts with a user data header.</summary>
    public const byte UdhIndicator = 0x40;

    public const byte ReplyPath = 0x80;
}

/// <summary>Bits of registered_delivery (§5.2.17).</summary>
public static class RegisteredDelivery
{
    public const byte None = 0x00;
    public const byte SmscReceiptOnSuccessOrFailure = 0x01;
    public const byte SmscReceiptOnFailure = 0x02;
    public const byte SmscReceiptMask = 0x03;
    public const byte IntermediateNotification = 0x10;
}

/// <summary>data_coding values this library interprets (§5.2.19).</summary>
public static class DataCoding
{
    /// <summary>SMSC default alphabet; for us GSM 03.38, one septet per octet.</summary>
    public const byte SmscDefault = 0x00;
    public const byte Ia5 = 0x01;
    public const byte OctetUnspecified = 0x02;
    public const byte Latin1 = 0x03;
    public const byte OctetUnspecified2 = 0x04;
    public const byte Ucs2 = 0x08;
}

/// <summary>interface_version of bind PDUs and the sc_interface_version TLV.</summary>
public static class InterfaceVersion
{
    public const byte V33 = 0x33;
    public const byte V34 = 0x34;
}

/// <summary>An SMPP address: type of number, numbering plan and the address itself (digits or alphanumeric).</summary>
public sealed record SmppAddress(TypeOfNumber Ton, NumberingPlanIndicator Npi, string Address)
{
    public static readonly SmppAddress Empty = new(TypeOfNumber.Unknown, NumberingPlanIndicator.Unknown, string.Empty);

    /// <summary>An E.164 number such as 254702739804.</summary>
    public static SmppAddress International(string digits) => new(TypeOfNumber.International, NumberingPlanIndicator.Isdn, digits);

    /// <summary>An alphanumeric sender id such as MYSENDER.</summary>
    public static SmppAddress Alphanumeric(string senderId) => new(TypeOfNumber.Alphanumeric, NumberingPlanIndicator.Unknown, senderId);

    public override string ToString() => $"{Address} (ton={(byte)Ton} npi={(byte)Npi})";
}
