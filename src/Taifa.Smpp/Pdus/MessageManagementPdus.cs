using Taifa.Smpp.Codec;

namespace Taifa.Smpp.Pdus;

/// <summary>ESME to SMSC: the state of an earlier submission (§4.8).</summary>
public sealed class QuerySm : SmppRequest
{
    public override CommandId CommandId => CommandId.QuerySm;

    public string MessageId { get; set; } = string.Empty;

    /// <summary>Must match the source of the original submission.</summary>
    public SmppAddress Source { get; set; } = SmppAddress.Empty;

    public override QuerySmResp CreateResponse() => Answer(new QuerySmResp());

    internal override void ReadBody(ref PduReader reader)
    {
        MessageId = reader.ReadCString(CStringField.MessageId);
        Source = reader.ReadAddress(CStringField.SourceAddr);
    }

    internal override void WriteBody(ref PduWriter writer)
    {
        writer.WriteCString(MessageId, CStringField.MessageId);
        writer.WriteAddress(Source, CStringField.SourceAddr);
    }
}

public sealed class QuerySmResp : SmppResponse
{
    public override CommandId CommandId => CommandId.QuerySmResp;

    public string MessageId { get; set; } = string.Empty;

    /// <summary>When the message reached its final state; empty while it has not.</summary>
    public string FinalDate { get; set; } = string.Empty;

    public MessageState MessageState { get; set; }

    /// <summary>The network error code when delivery failed (§5.2.31).</summary>
    public byte ErrorCode { get; set; }

    internal override void ReadBody(ref PduReader reader)
    {
        MessageId = reader.ReadCString(CStringField.MessageId);
        FinalDate = reader.ReadCString(CStringField.FinalDate);
        MessageState = (MessageState)reader.ReadByte();
        ErrorCode = reader.ReadByte();
    }

    internal override void WriteBody(ref PduWriter writer)
    {
        writer.WriteCString(MessageId, CStringField.MessageId);
        writer.WriteCString(FinalDate, CStringField.FinalDate);
        writer.WriteByte((byte)MessageState);
        writer.WriteByte(ErrorCode);
    }
}

/// <summary>
/// ESME to SMSC: cancel a pending message by message_id, or (message_id empty) every pending message from
/// source to destination with that service_type (§4.9).
/// </summary>
public sealed class CancelSm : SmppRequest
{
    public override CommandId CommandId => CommandId.CancelSm;

    public string ServiceType { get; set; } = string.Empty;

    public string MessageId { get; set; } = string.Empty;

    public SmppAddress Source { get; set; } = SmppAddress.Empty;

    public SmppAddress Destination { get; set; } = SmppAddress.Empty;

    public override CancelSmResp CreateResponse() => Answer(new CancelSmResp());

    internal override void ReadBody(ref PduReader reader)
    {
        ServiceType = reader.ReadCString(CStringField.ServiceType);
        MessageId = reader.ReadCString(CStringField.MessageId);
        Source = reader.ReadAddress(CStringField.SourceAddr);
        Destination = reader.ReadAddress(CStringField.DestinationAddr);
    }

    internal override void WriteBody(ref PduWriter writer)
    {
        writer.WriteCString(ServiceType, CStringField.ServiceType);
        writer.WriteCString(MessageId, CStringField.MessageId);
        writer.WriteAddress(Source, CStringField.SourceAddr);
        writer.WriteAddress(Destination, CStringField.DestinationAddr);
    }
}

public sealed class CancelSmResp : SmppResponse
{
    public override CommandId CommandId => CommandId.CancelSmResp;
}

/// <summary>ESME to SMSC: replace a pending message's text and times (§4.10).</summary>
public sealed class ReplaceSm : SmppRequest
{
    public override CommandId CommandId => CommandId.ReplaceSm;

    public string MessageId { get; set; } = string.Empty;

    public SmppAddress Source { get; set; } = SmppAddress.Empty;

    public string ScheduleDeliveryTime { get; set; } = string.Empty;

    public string ValidityPeriod { get; set; } = string.Empty;

    public byte RegisteredDelivery { get; set; }

    public byte SmDefaultMsgId { get; set; }

    public ReadOnlyMemory<byte> ShortMessage { get; set; }

    public override ReplaceSmResp CreateResponse() => Answer(new ReplaceSmResp());

    internal override void ReadBody(ref PduReader reader)
    {
        MessageId = reader.ReadCString(CStringField.MessageId);
        Source = reader.ReadAddress(CStringField.SourceAddr);
        ScheduleDeliveryTime = reader.ReadCString(CStringField.ScheduleDeliveryTime);
        ValidityPeriod = reader.ReadCString(CStringField.ValidityPeriod);
        RegisteredDelivery = reader.ReadByte();
        SmDefaultMsgId = reader.ReadByte();
        ShortMessage = reader.ReadShortMessage();
    }

    internal override void WriteBody(ref PduWriter writer)
    {
        writer.WriteCString(MessageId, CStringField.MessageId);
        writer.WriteAddress(Source, CStringField.SourceAddr);
        writer.WriteCString(ScheduleDeliveryTime, CStringField.ScheduleDeliveryTime);
        writer.WriteCString(ValidityPeriod, CStringField.ValidityPeriod);
        writer.WriteByte(RegisteredDelivery);
        writer.WriteByte(SmDefaultMsgId);
        writer.WriteShortMessage(ShortMessage.Span);
    }
}

public sealed class ReplaceSmResp : SmppResponse
{
    public override CommandId CommandId => CommandId.ReplaceSmResp;
}
