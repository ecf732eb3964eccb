using Taifa.Smpp.Codec;

namespace Taifa.Smpp.Pdus;

/// <summary>
/// The fields submit_sm, deliver_sm and submit_multi share (§4.4.1, §4.5.1, §4.6.1); they differ only in how the
/// destination is given.
/// </summary>
public abstract class ShortMessageRequest : SmppRequest
{
    private protected ShortMessageRequest()
    {
    }

    public string ServiceType { get; set; } = string.Empty;

    public SmppAddress Source { get; set; } = SmppAddress.Empty;

    /// <summary>See <see cref="Pdus.EsmClass"/>; bit 0x40 (UDHI) says <see cref="ShortMessage"/> starts with a UDH.</summary>
    public byte EsmClass { get; set; }

    public byte ProtocolId { get; set; }

    public byte PriorityFlag { get; set; }

    /// <summary>Empty, or an absolute or relative SMPP time of 16 characters (§7.1).</summary>
    public string ScheduleDeliveryTime { get; set; } = string.Empty;

    /// <summary>Empty, or an absolute or relative SMPP time of 16 characters (§7.1).</summary>
    public string ValidityPeriod { get; set; } = string.Empty;

    public byte RegisteredDelivery { get; set; }

    public byte ReplaceIfPresentFlag { get; set; }

    /// <summary>See <see cref="Pdus.DataCoding"/>.</summary>
    public byte DataCoding { get; set; }

    public byte SmDefaultMsgId { get; set; }

    /// <summary>Up to 254 octets; longer content travels in the message_payload TLV with this left empty.</summary>
    public ReadOnlyMemory<byte> ShortMessage { get; set; }

    internal override void ReadBody(ref PduReader reader)
    {
        ServiceType = reader.ReadCString(CStringField.ServiceType);
        Source = reader.ReadAddress(CStringField.SourceAddr);
        ReadDestination(ref reader);
        EsmClass = reader.ReadByte();
        ProtocolId = reader.ReadByte();
        PriorityFlag = reader.ReadByte();
        ScheduleDeliveryTime = reader.ReadCString(CStringField.ScheduleDeliveryTime);
        ValidityPeriod = reader.ReadCString(CStringField.ValidityPeriod);
        RegisteredDelivery = reader.ReadByte();
        ReplaceIfPresentFlag = reader.ReadByte();
        DataCoding = reader.ReadByte();
        SmDefaultMsgId = reader.ReadByte();
        ShortMessage = reader.ReadShortMessage();
    }

    internal override void WriteBody(ref PduWriter writer)
    {
        writer.WriteCString(ServiceType, CStringField.ServiceType);
        writer.WriteAddress(Source, CStringField.SourceAddr);
        WriteDestination(ref writer);
        writer.WriteByte(EsmClass);
        writer.WriteByte(ProtocolId);
        writer.WriteByte(PriorityFlag);
        writer.WriteCString(ScheduleDeliveryTime, CStringField.ScheduleDeliveryTime);
        writer.WriteCString(ValidityPeriod, CStringField.ValidityPeriod);
        writer.WriteByte(RegisteredDelivery);
        writer.WriteByte(ReplaceIfPresentFlag);
        writer.WriteByte(DataCoding);
        writer.WriteByte(SmDefaultMsgId);
        writer.WriteShortMessage(ShortMessage.Span);
    }

    private protected abstract void ReadDestination(ref PduReader reader);

    private protected abstract void WriteDestination(ref PduWriter writer);

    /// <summary>A copy of every field and optional parameter; the byte buffers are shared, as they are read-only.</summary>
    private protected T CopyTo<T>(T copy)
        where T : ShortMessageRequest
    {
        copy.CommandStatus = CommandStatus;
        copy.SequenceNumber = SequenceNumber;
        copy.ServiceType = ServiceType;
        copy.Source = Source;
        copy.EsmClass = EsmClass;
        copy.ProtocolId = ProtocolId;
        copy.PriorityFlag = PriorityFlag;
        copy.ScheduleDeliveryTime = ScheduleDeliveryTime;
        copy.ValidityPeriod = ValidityPeriod;
        copy.RegisteredDelivery = RegisteredDelivery;
        copy.ReplaceIfPresentFlag = ReplaceIfPresentFlag;
        copy.DataCoding = DataCoding;
        copy.SmDefaultMsgId = SmDefaultMsgId;
        copy.ShortMessage = ShortMessage;
        if (OptionalParametersIfAny is { } parameters)
        {
            foreach (var tlv in parameters)
            {
                copy.OptionalParameters.Add(tlv);
            }
        }

        return copy;
    }
}

/// <summary>A short message to one address: submit_sm and deliver_sm have the same body.</summary>
public abstract class SingleDestinationShortMessage : ShortMessageRequest
{
    private protected SingleDestinationShortMessage()
    {
    }

    public SmppAddress Destination { get; set; } = SmppAddress.Empty;

    private protected override void ReadDestination(ref PduReader reader) =>
        Destination = reader.ReadAddress(CStringField.DestinationAddr);

    private protected override void WriteDestination(ref PduWriter writer) =>
        writer.WriteAddress(Destination, CStringField.DestinationAddr);

    public override string ToString() => $"{base.ToString()} from={Source.Address} to={Destination.Address}";
}

/// <summary>ESME to SMSC: send one short message (§4.4).</summary>
public sealed class SubmitSm : SingleDestinationShortMessage
{
    public override CommandId CommandId => CommandId.SubmitSm;

    public override SubmitSmResp CreateResponse() => Answer(new SubmitSmResp());

    /// <summary>A copy for one part of a split message, or a retry with a new sequence number.</summary>
    public SubmitSm Clone() => CopyTo(new SubmitSm { Destination = Destination });
}

/// <summary>SMSC to ESME: a mobile-originated message or a delivery receipt (§4.6).</summary>
public sealed class DeliverSm : SingleDestinationShortMessage
{
    public override CommandId CommandId => CommandId.DeliverSm;

    public override DeliverSmResp CreateResponse() => Answer(new DeliverSmResp());

    /// <summary>Whether esm_class marks this as an SMSC delivery receipt.</summary>
    public bool IsDeliveryReceipt => (EsmClass & Pdus.EsmClass.MessageTypeMask) == Pdus.EsmClass.DeliveryReceipt;
}

/// <summary>A response whose body is a message_id.</summary>
public abstract class MessageIdResponse : SmppResponse
{
    private protected MessageIdResponse()
    {
    }

    public string MessageId { get; set; } = string.Empty;

    internal override void ReadBody(ref PduReader reader) => MessageId = reader.ReadCString(CStringField.MessageId);

    internal override void WriteBody(ref PduWriter writer) => writer.WriteCString(MessageId, CStringField.MessageId);

    public override string ToString() => $"{base.ToString()} message_id={MessageId}";
}

public sealed class SubmitSmResp : MessageIdResponse
{
    public override CommandId CommandId => CommandId.SubmitSmResp;

    /// <summary>§4.4.2: the body is not returned when command_status is non-zero.</summary>
    internal override bool OmitsBody => CommandStatus != CommandStatus.Ok && (OptionalParametersIfAny?.Count ?? 0) == 0;
}

/// <summary>The ESME's answer to deliver_sm; its message_id is unused and left empty.</summary>
public sealed class DeliverSmResp : MessageIdResponse
{
    public override CommandId CommandId => CommandId.DeliverSmResp;
}

public sealed class DataSmResp : MessageIdResponse
{
    public override CommandId CommandId => CommandId.DataSmResp;
}

/// <summary>Either direction: a message whose content travels in TLVs, usually message_payload (§4.7).</summary>
public sealed class DataSm : SmppRequest
{
    public override CommandId CommandId => CommandId.DataSm;

    public string ServiceType { get; set; } = string.Empty;

    public SmppAddress Source { get; set; } = SmppAddress.Empty;

    public SmppAddress Destination { get; set; } = SmppAddress.Empty;

    public byte EsmClass { get; set; }

    public byte RegisteredDelivery { get; set; }

    public byte DataCoding { get; set; }

    public override DataSmResp CreateResponse() => Answer(new DataSmResp());

    internal override void ReadBody(ref PduReader reader)
    {
        ServiceType = reader.ReadCString(CStringField.ServiceType);
        Source = reader.ReadAddress(CStringField.LongSourceAddr);
        Destination = reader.ReadAddress(CStringField.LongDestinationAddr);
        EsmClass = reader.ReadByte();
        RegisteredDelivery = reader.ReadByte();
        DataCoding = reader.ReadByte();
    }

    internal override void WriteBody(ref PduWriter writer)
    {
        writer.WriteCString(ServiceType, CStringField.ServiceType);
        writer.WriteAddress(Source, CStringField.LongSourceAddr);
        writer.WriteAddress(Destination, CStringField.LongDestinationAddr);
        writer.WriteByte(EsmClass);
        writer.WriteByte(RegisteredDelivery);
        writer.WriteByte(DataCoding);
    }
}
