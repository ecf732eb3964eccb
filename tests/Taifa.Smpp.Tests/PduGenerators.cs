using CsCheck;
using Taifa.Smpp.Pdus;

namespace Taifa.Smpp.Tests;

/// <summary>Random PDUs of every command, with every field inside its SMPP limit.</summary>
internal static class PduGenerators
{
    public static readonly CommandId[] Commands = Enum.GetValues<CommandId>();

    private static readonly Gen<Tlv[]> VendorTlvs =
        Gen.Select(Gen.UShort[0x1400, 0x3FFF], Gen.Byte.Array[0, 24], (tag, value) => new Tlv(tag, value)).Array[0, 3];

    private static readonly Gen<string[]> Texts = Gen.Char[' ', '\u00FF'].Array[0, 70].Select(c => new string(c)).Array[8];

    public static readonly Gen<Pdu> Pdu = Gen.Select(
        Gen.Int[0, Commands.Length - 1],
        Gen.Select(Gen.UInt[0, 0x110], Gen.UInt),
        Gen.Byte.Array[16],
        Texts,
        Gen.Byte.Array[0, 254],
        Gen.Int[0, 4],
        VendorTlvs,
        (command, header, octets, texts, message, count, tlvs) =>
            Build(Commands[command], header.Item1, header.Item2, new FieldSource(octets, texts), message, count, tlvs));

    private static Pdu Build(CommandId commandId, uint status, uint sequence, FieldSource f, byte[] message, int count, Tlv[] tlvs)
    {
        var pdu = PduTable.Create(commandId)!;
        pdu.CommandStatus = (CommandStatus)status;
        pdu.SequenceNumber = sequence;
        switch (pdu)
        {
            case BindRequest bind:
                (bind.SystemId, bind.Password, bind.SystemType) = (f.Text(15), f.Text(8), f.Text(12));
                (bind.InterfaceVersion, bind.AddrTon, bind.AddrNpi, bind.AddressRange) = (f.Byte(), (TypeOfNumber)f.Byte(), (NumberingPlanIndicator)f.Byte(), f.Text(40));
                break;
            case BindResponse resp:
                resp.SystemId = f.Text(15);
                break;
            case Outbind outbind:
                (outbind.SystemId, outbind.Password) = (f.Text(15), f.Text(8));
                break;
            case ShortMessageRequest sm:
                (sm.ServiceType, sm.Source, sm.EsmClass, sm.ProtocolId, sm.PriorityFlag) = (f.Text(5), f.Address(20), f.Byte(), f.Byte(), f.Byte());
                (sm.ScheduleDeliveryTime, sm.ValidityPeriod, sm.RegisteredDelivery, sm.ReplaceIfPresentFlag) = (f.Time(), f.Time(), f.Byte(), f.Byte());
                (sm.DataCoding, sm.SmDefaultMsgId, sm.ShortMessage) = (f.Byte(), f.Byte(), message);
                SetDestinations(sm, f, count);
                break;
            case MessageIdResponse resp:
                resp.MessageId = f.Text(64);
                break;
            case SubmitMultiResp resp:
                resp.MessageId = f.Text(64);
                for (var i = 0; i < count; i++)
                {
                    resp.UnsuccessfulDeliveries.Add(new UnsuccessfulDelivery(f.Address(20), (CommandStatus)f.Byte()));
                }

                break;
            case DataSm data:
                (data.ServiceType, data.Source, data.Destination) = (f.Text(5), f.Address(64), f.Address(64));
                (data.EsmClass, data.RegisteredDelivery, data.DataCoding) = (f.Byte(), f.Byte(), f.Byte());
                break;
            case QuerySm query:
                (query.MessageId, query.Source) = (f.Text(64), f.Address(20));
                break;
            case QuerySmResp resp:
                (resp.MessageId, resp.FinalDate, resp.MessageState, resp.ErrorCode) = (f.Text(64), f.Time(), (MessageState)f.Byte(), f.Byte());
                break;
            case CancelSm cancel:
                (cancel.ServiceType, cancel.MessageId, cancel.Source, cancel.Destination) = (f.Text(5), f.Text(64), f.Address(20), f.Address(20));
                break;
            case ReplaceSm replace:
                (replace.MessageId, replace.Source, replace.ScheduleDeliveryTime, replace.ValidityPeriod) = (f.Text(64), f.Address(20), f.Time(), f.Time());
                (replace.RegisteredDelivery, replace.SmDefaultMsgId, replace.ShortMessage) = (f.Byte(), f.Byte(), message);
                break;
            case AlertNotification alert:
                (alert.Source, alert.EsmeAddress) = (f.Address(64), f.Address(64));
                break;
        }

        foreach (var tlv in tlvs)
        {
            pdu.OptionalParameters.Add(tlv);
        }

        return pdu;
    }

    private static void SetDestinations(ShortMessageRequest sm, FieldSource f, int count)
    {
        switch (sm)
        {
            case SingleDestinationShortMessage single:
                single.Destination = f.Address(20);
                break;
            case SubmitMulti multi:
                for (var i = 0; i < count; i++)
                {
                    multi.Destinations.Add(i % 2 == 0 ? MultiDestination.Sme(f.Address(20)) : MultiDestination.DistributionList(f.Text(20)));
                }

                break;
        }
    }

    /// <summary>Hands out generated values in turn, cut to each field's limit.</summary>
    private sealed class FieldSource(byte[] octets, string[] texts)
    {
        private int _octet;
        private int _text;

        public byte Byte() => octets[_octet++ % octets.Length];

        public string Text(int maxLength)
        {
            var text = texts[_text++ % texts.Length];
            return text.Length <= maxLength ? text : text[..maxLength];
        }

        /// <summary>SMPP times are empty or 16 characters.</summary>
        public string Time() => Text(16) is { Length: 16 } time ? time : string.Empty;

        public SmppAddress Address(int maxLength) => new((TypeOfNumber)Byte(), (NumberingPlanIndicator)Byte(), Text(maxLength));
    }
}
