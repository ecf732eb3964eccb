using Taifa.Smpp.Pdus;

namespace Taifa.Smpp.Codec;

/// <summary>
/// A C-octet string field: its spec name, its maximum size in octets including the NUL (SMPP v3.4 §4), and the
/// command_status to answer when a peer breaks the limit.
/// </summary>
internal sealed record CStringField(string Name, int MaxLength, CommandStatus Status)
{
    public static readonly CStringField SystemId = new("system_id", 16, CommandStatus.InvalidSystemId);
    public static readonly CStringField Password = new("password", 9, CommandStatus.InvalidPassword);
    public static readonly CStringField SystemType = new("system_type", 13, CommandStatus.InvalidSystemType);
    public static readonly CStringField AddressRange = new("address_range", 41, CommandStatus.BindFailed);
    public static readonly CStringField ServiceType = new("service_type", 6, CommandStatus.InvalidServiceType);
    public static readonly CStringField SourceAddr = new("source_addr", 21, CommandStatus.InvalidSourceAddress);
    public static readonly CStringField DestinationAddr = new("destination_addr", 21, CommandStatus.InvalidDestinationAddress);

    /// <summary>data_sm and alert_notification allow longer addresses than submit_sm.</summary>
    public static readonly CStringField LongSourceAddr = SourceAddr with { MaxLength = 65 };
    public static readonly CStringField LongDestinationAddr = DestinationAddr with { MaxLength = 65 };
    public static readonly CStringField EsmeAddr = new("esme_addr", 65, CommandStatus.InvalidDestinationAddress);
    public static readonly CStringField DistributionListName = new("dl_name", 21, CommandStatus.InvalidDistributionListName);
    public static readonly CStringField MessageId = new("message_id", 65, CommandStatus.InvalidMessageId);

    /// <summary>Absolute or relative time: empty, or 16 characters and the NUL (§7.1).</summary>
    public static readonly CStringField ScheduleDeliveryTime = new("schedule_delivery_time", 17, CommandStatus.InvalidScheduledDeliveryTime);
    public static readonly CStringField ValidityPeriod = new("validity_period", 17, CommandStatus.InvalidExpiry);
    public static readonly CStringField FinalDate = new("final_date", 17, CommandStatus.UnknownError);

    public bool IsTime => MaxLength == 17;

    /// <summary>Whether a value of <paramref name="length"/> characters (NUL excluded) is allowed.</summary>
    public bool Allows(long length) => IsTime ? length is 0 or 16 : length < MaxLength;
}
