using Taifa.Smpp.Codec;

namespace Taifa.Smpp.Pdus;

/// <summary>The fields shared by bind_transmitter, bind_receiver and bind_transceiver (§4.1).</summary>
public abstract class BindRequest : SmppRequest
{
    private protected BindRequest()
    {
    }

    public string SystemId { get; set; } = string.Empty;

    public string Password { get; set; } = string.Empty;

    public string SystemType { get; set; } = string.Empty;

    public byte InterfaceVersion { get; set; } = Pdus.InterfaceVersion.V34;

    public TypeOfNumber AddrTon { get; set; }

    public NumberingPlanIndicator AddrNpi { get; set; }

    public string AddressRange { get; set; } = string.Empty;

    internal override void ReadBody(ref PduReader reader)
    {
        SystemId = reader.ReadCString(CStringField.SystemId);
        Password = reader.ReadCString(CStringField.Password);
        SystemType = reader.ReadCString(CStringField.SystemType);
        InterfaceVersion = reader.ReadByte();
        AddrTon = (TypeOfNumber)reader.ReadByte();
        AddrNpi = (NumberingPlanIndicator)reader.ReadByte();
        AddressRange = reader.ReadCString(CStringField.AddressRange);
    }

    internal override void WriteBody(ref PduWriter writer)
    {
        writer.WriteCString(SystemId, CStringField.SystemId);
        writer.WriteCString(Password, CStringField.Password);
        writer.WriteCString(SystemType, CStringField.SystemType);
        writer.WriteByte(InterfaceVersion);
        writer.WriteByte((byte)AddrTon);
        writer.WriteByte((byte)AddrNpi);
        writer.WriteCString(AddressRange, CStringField.AddressRange);
    }

    public override string ToString() => $"{base.ToString()} system_id={SystemId}";
}

public sealed class BindTransmitter : BindRequest
{
    public override CommandId CommandId => CommandId.BindTransmitter;

    public override BindTransmitterResp CreateResponse() => Answer(new BindTransmitterResp());
}

public sealed class BindReceiver : BindRequest
{
    public override CommandId CommandId => CommandId.BindReceiver;

    public override BindReceiverResp CreateResponse() => Answer(new BindReceiverResp());
}

public sealed class BindTransceiver : BindRequest
{
    public override CommandId CommandId => CommandId.BindTransceiver;

    public override BindTransceiverResp CreateResponse() => Answer(new BindTransceiverResp());
}

/// <summary>The SMSC's answer to a bind: its system_id and, in the TLV, the interface version it speaks.</summary>
public abstract class BindResponse : SmppResponse
{
    private protected BindResponse()
    {
    }

    public string SystemId { get; set; } = string.Empty;

    internal override void ReadBody(ref PduReader reader) => SystemId = reader.ReadCString(CStringField.SystemId);

    internal override void WriteBody(ref PduWriter writer) => writer.WriteCString(SystemId, CStringField.SystemId);
}

public sealed class BindTransmitterResp : BindResponse
{
    public override CommandId CommandId => CommandId.BindTransmitterResp;
}

public sealed class BindReceiverResp : BindResponse
{
    public override CommandId CommandId => CommandId.BindReceiverResp;
}

public sealed class BindTransceiverResp : BindResponse
{
    public override CommandId CommandId => CommandId.BindTransceiverResp;
}

/// <summary>SMSC to ESME: asks the ESME to bind_receiver (§4.1.7). It has no response.</summary>
public sealed class Outbind : Pdu
{
    public override CommandId CommandId => CommandId.Outbind;

    public string SystemId { get; set; } = string.Empty;

    public string Password { get; set; } = string.Empty;

    internal override void ReadBody(ref PduReader reader)
    {
        SystemId = reader.ReadCString(CStringField.SystemId);
        Password = reader.ReadCString(CStringField.Password);
    }

    internal override void WriteBody(ref PduWriter writer)
    {
        writer.WriteCString(SystemId, CStringField.SystemId);
        writer.WriteCString(Password, CStringField.Password);
    }
}
