using Taifa.Smpp.Codec;

namespace Taifa.Smpp.Pdus;

/// <summary>One dest_address of submit_multi: an SME address or the name of a distribution list (§4.5.1.1).</summary>
public sealed record MultiDestination
{
    private MultiDestination(SmppAddress? address, string? distributionListName)
    {
        Address = address;
        DistributionListName = distributionListName;
    }

    /// <summary>Set when dest_flag is 1.</summary>
    public SmppAddress? Address { get; }

    /// <summary>Set when dest_flag is 2.</summary>
    public string? DistributionListName { get; }

    public static MultiDestination Sme(SmppAddress address) => new(address, null);

    public static MultiDestination DistributionList(string name) => new(null, name);
}

/// <summary>One unsuccess_sme of submit_multi_resp: an address the SMSC refused, and why.</summary>
public sealed record UnsuccessfulDelivery(SmppAddress Address, CommandStatus ErrorStatusCode);

/// <summary>ESME to SMSC: one short message to up to 254 destinations (§4.5).</summary>
public sealed class SubmitMulti : ShortMessageRequest
{
    private const byte SmeAddressFlag = 1;
    private const byte DistributionListFlag = 2;

    /// <summary>§4.5.1: a maximum of 254 destination addresses are allowed.</summary>
    public const int MaxDestinations = 254;

    public override CommandId CommandId => CommandId.SubmitMulti;

    public IList<MultiDestination> Destinations { get; } = new List<MultiDestination>();

    public override SubmitMultiResp CreateResponse() => Answer(new SubmitMultiResp());

    private protected override void ReadDestination(ref PduReader reader)
    {
        var count = reader.ReadByte();
        if (count > MaxDestinations)
        {
            reader.Fail(CommandStatus.InvalidNumberOfDestinations, $"number_of_dests {count} is above {MaxDestinations}");
        }

        for (var i = 0; i < count && !reader.Failed; i++)
        {
            switch (reader.ReadByte())
            {
                case SmeAddressFlag:
                    Destinations.Add(MultiDestination.Sme(reader.ReadAddress(CStringField.DestinationAddr)));
                    break;
                case DistributionListFlag:
                    Destinations.Add(MultiDestination.DistributionList(reader.ReadCString(CStringField.DistributionListName)));
                    break;
                case var flag:
                    reader.Fail(CommandStatus.InvalidDestinationFlag, $"dest_flag {flag} is neither 1 nor 2");
                    break;
            }
        }
    }

    private protected override void WriteDestination(ref PduWriter writer)
    {
        if (Destinations.Count > MaxDestinations)
        {
            throw new ArgumentException($"submit_multi takes at most {MaxDestinations} destinations, not {Destinations.Count}.");
        }

        writer.WriteByte((byte)Destinations.Count);
        foreach (var destination in Destinations)
        {
            if (destination.Address is { } address)
            {
                writer.WriteByte(SmeAddressFlag);
                writer.WriteAddress(address, CStringField.DestinationAddr);
            }
            else
            {
                writer.WriteByte(DistributionListFlag);
                writer.WriteCString(destination.DistributionListName, CStringField.DistributionListName);
            }
        }
    }
}

public sealed class SubmitMultiResp : SmppResponse
{
    public override CommandId CommandId => CommandId.SubmitMultiResp;

    public string MessageId { get; set; } = string.Empty;

    public IList<UnsuccessfulDelivery> UnsuccessfulDeliveries { get; } = new List<UnsuccessfulDelivery>();

    internal override void ReadBody(ref PduReader reader)
    {
        MessageId = reader.ReadCString(CStringField.MessageId);
        var count = reader.ReadByte();
        for (var i = 0; i < count && !reader.Failed; i++)
        {
            var address = reader.ReadAddress(CStringField.DestinationAddr);
            UnsuccessfulDeliveries.Add(new UnsuccessfulDelivery(address, (CommandStatus)reader.ReadUInt32()));
        }
    }

    internal override void WriteBody(ref PduWriter writer)
    {
        if (UnsuccessfulDeliveries.Count > SubmitMulti.MaxDestinations)
        {
            throw new ArgumentException($"submit_multi_resp lists at most {SubmitMulti.MaxDestinations} failures, not {UnsuccessfulDeliveries.Count}.");
        }

        writer.WriteCString(MessageId, CStringField.MessageId);
        writer.WriteByte((byte)UnsuccessfulDeliveries.Count);
        foreach (var failure in UnsuccessfulDeliveries)
        {
            writer.WriteAddress(failure.Address, CStringField.DestinationAddr);
            writer.WriteUInt32((uint)failure.ErrorStatusCode);
        }
    }
}
