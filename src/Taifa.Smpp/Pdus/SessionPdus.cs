using Taifa.Smpp.Codec;

namespace Taifa.Smpp.Pdus;

public sealed class EnquireLink : SmppRequest
{
    public override CommandId CommandId => CommandId.EnquireLink;

    public override EnquireLinkResp CreateResponse() => Answer(new EnquireLinkResp());
}

public sealed class EnquireLinkResp : SmppResponse
{
    public override CommandId CommandId => CommandId.EnquireLinkResp;
}

public sealed class Unbind : SmppRequest
{
    public override CommandId CommandId => CommandId.Unbind;

    public override UnbindResp CreateResponse() => Answer(new UnbindResp());
}

public sealed class UnbindResp : SmppResponse
{
    public override CommandId CommandId => CommandId.UnbindResp;
}

/// <summary>The answer to a PDU that could not be understood (§4.3); it carries the offending sequence number.</summary>
public sealed class GenericNack : SmppResponse
{
    public GenericNack()
    {
    }

    public GenericNack(CommandStatus status, uint sequenceNumber)
    {
        CommandStatus = status;
        SequenceNumber = sequenceNumber;
    }

    public override CommandId CommandId => CommandId.GenericNack;
}

/// <summary>SMSC to ESME: the mobile at source_addr is reachable again (§4.12). It has no response.</summary>
public sealed class AlertNotification : Pdu
{
    public override CommandId CommandId => CommandId.AlertNotification;

    /// <summary>The mobile that became available.</summary>
    public SmppAddress Source { get; set; } = SmppAddress.Empty;

    /// <summary>The ESME that asked to be told (set_dpf in an earlier data_sm or submit_sm).</summary>
    public SmppAddress EsmeAddress { get; set; } = SmppAddress.Empty;

    internal override void ReadBody(ref PduReader reader)
    {
        Source = reader.ReadAddress(CStringField.LongSourceAddr);
        EsmeAddress = reader.ReadAddress(CStringField.EsmeAddr);
    }

    internal override void WriteBody(ref PduWriter writer)
    {
        writer.WriteAddress(Source, CStringField.LongSourceAddr);
        writer.WriteAddress(EsmeAddress, CStringField.EsmeAddr);
    }
}
