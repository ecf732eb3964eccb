using System.Buffers.Binary;
using System.Text;
using Taifa.Smpp.Codec;
using Taifa.Smpp.Pdus;
using static Taifa.Smpp.Tests.Buffers;

namespace Taifa.Smpp.Tests.Codec;

/// <summary>
/// Frames worked out by hand from the SMPP v3.4 field tables. Each test decodes every field, checks the frame was
/// consumed, and writes the PDU back to the same bytes.
/// </summary>
public class PduFixtureTests
{
    internal const string MySender = "4D 59 53 45 4E 44 45 52 00"; // "MYSENDER"
    internal const string Mobile = "32 35 34 37 30 32 37 33 39 38 30 34 00"; // "254702739804"

    /// <summary>The body of submit_sm "Hello" from MYSENDER to 254702739804, receipt requested.</summary>
    internal const string HelloSubmitBody = $"""
        00
        05 00 {MySender}
        01 01 {Mobile}
        00 00 00
        00
        00
        01 00 00 00
        05 48 65 6C 6C 6F
        """;
    private const string Abc123 = "61 62 63 31 32 33 00"; // "abc123"

    [Fact]
    public void Bind_transmitter()
    {
        var frame = Hex("""
            00000025 00000002 00000000 00000001
            6D 79 75 73 65 72 00
            6D 79 50 61 73 73 38 63 00
            00
            34 00 00
            00
            """);

        var bind = DecodeOnly<BindTransmitter>(frame);

        Assert.Equal(CommandStatus.Ok, bind.CommandStatus);
        Assert.Equal(1u, bind.SequenceNumber);
        Assert.Equal("myuser", bind.SystemId);
        Assert.Equal("myPass8c", bind.Password);
        Assert.Equal("", bind.SystemType);
        Assert.Equal(InterfaceVersion.V34, bind.InterfaceVersion);
        Assert.Equal(TypeOfNumber.Unknown, bind.AddrTon);
        Assert.Equal(NumberingPlanIndicator.Unknown, bind.AddrNpi);
        Assert.Equal("", bind.AddressRange);
        Assert.Empty(bind.OptionalParameters);
        Assert.Equal(frame, SmppPduWriter.ToArray(bind));
    }

    [Fact]
    public void Bind_transmitter_resp_with_sc_interface_version()
    {
        var frame = Hex("""
            0000001B 80000002 00000000 00000001
            54 41 49 46 41 00
            0210 0001 34
            """);

        var resp = DecodeOnly<BindTransmitterResp>(frame);

        Assert.Equal(1u, resp.SequenceNumber);
        Assert.Equal("TAIFA", resp.SystemId);
        Assert.Equal(InterfaceVersion.V34, resp.OptionalParameters.ScInterfaceVersion);
        Assert.Equal(frame, SmppPduWriter.ToArray(resp));
    }

    [Fact]
    public void Bind_resp_without_body_reports_its_error()
    {
        var resp = DecodeOnly<BindTransmitterResp>(Hex("00000010 80000002 0000000D 00000001"));

        Assert.Equal(CommandStatus.BindFailed, resp.CommandStatus);
        Assert.Equal("", resp.SystemId);
    }

    [Fact]
    public void Submit_sm()
    {
        var frame = Hex($"0000003A 00000004 00000000 00000002 {HelloSubmitBody}");

        var submit = DecodeOnly<SubmitSm>(frame);

        AssertHelloFromMySender(submit);
        Assert.Equal(0, submit.IgnoredTrailingOctets);
        Assert.Equal(frame, SmppPduWriter.ToArray(submit));
    }

    /// <summary>
    /// A widely used PHP client sends a NUL after short_message that sm_length does not count; too short to be a TLV,
    /// it is skipped and counted (as Kannel does), and the PDU written back without it.
    /// </summary>
    [Fact]
    public void Submit_sm_with_a_nul_after_short_message_that_sm_length_does_not_count()
    {
        var frame = Hex($"0000003B 00000004 00000000 00000002 {HelloSubmitBody} 00");

        var submit = DecodeOnly<SubmitSm>(frame);

        AssertHelloFromMySender(submit);
        Assert.Equal(1, submit.IgnoredTrailingOctets);
        Assert.Equal(TrailingOctetTests.WithoutTail(frame, 1), SmppPduWriter.ToArray(submit));
    }

    private static void AssertHelloFromMySender(SubmitSm submit)
    {
        Assert.Equal(CommandStatus.Ok, submit.CommandStatus);
        Assert.Equal(2u, submit.SequenceNumber);
        Assert.Equal("", submit.ServiceType);
        Assert.Equal(SmppAddress.Alphanumeric("MYSENDER"), submit.Source);
        Assert.Equal(SmppAddress.International("254702739804"), submit.Destination);
        Assert.Equal(0, submit.EsmClass);
        Assert.Equal(0, submit.ProtocolId);
        Assert.Equal(0, submit.PriorityFlag);
        Assert.Equal("", submit.ScheduleDeliveryTime);
        Assert.Equal("", submit.ValidityPeriod);
        Assert.Equal(RegisteredDelivery.SmscReceiptOnSuccessOrFailure, submit.RegisteredDelivery);
        Assert.Equal(0, submit.ReplaceIfPresentFlag);
        Assert.Equal(DataCoding.SmscDefault, submit.DataCoding);
        Assert.Equal(0, submit.SmDefaultMsgId);
        Assert.Equal("Hello"u8.ToArray(), submit.ShortMessage.ToArray());
        Assert.Empty(submit.OptionalParameters);
    }

    [Fact]
    public void Submit_sm_resp()
    {
        var frame = Hex($"00000017 80000004 00000000 00000002 {Abc123}");

        var resp = DecodeOnly<SubmitSmResp>(frame);

        Assert.Equal(2u, resp.SequenceNumber);
        Assert.Equal("abc123", resp.MessageId);
        Assert.Equal(frame, SmppPduWriter.ToArray(resp));
    }

    [Fact]
    public void Submit_sm_resp_with_an_error_has_no_body()
    {
        var frame = Hex("00000010 80000004 00000058 00000002");

        var resp = DecodeOnly<SubmitSmResp>(frame);

        Assert.Equal(CommandStatus.Throttled, resp.CommandStatus);
        Assert.Equal("", resp.MessageId);
        Assert.Equal(frame, SmppPduWriter.ToArray(resp));
        Assert.Equal(frame, SmppPduWriter.ToArray(new SubmitSm { SequenceNumber = 2 }.CreateResponse(CommandStatus.Throttled)));
    }

    [Fact]
    public void Deliver_sm_delivery_receipt()
    {
        var frame = Hex($"""
            0000005B 00000005 00000000 00000009
            00
            01 01 {Mobile}
            05 00 {MySender}
            04 00 00
            00
            00
            00 00 00 00
            16 69 64 3A 61 62 63 31 32 33 20 73 74 61 74 3A 44 45 4C 49 56 52 44
            001E 0007 {Abc123}
            0427 0001 02
            """);

        var deliver = DecodeOnly<DeliverSm>(frame);

        Assert.Equal(9u, deliver.SequenceNumber);
        Assert.Equal(SmppAddress.International("254702739804"), deliver.Source);
        Assert.Equal(SmppAddress.Alphanumeric("MYSENDER"), deliver.Destination);
        Assert.Equal(EsmClass.DeliveryReceipt, deliver.EsmClass);
        Assert.True(deliver.IsDeliveryReceipt);
        Assert.Equal("id:abc123 stat:DELIVRD", Encoding.ASCII.GetString(deliver.ShortMessage.Span));
        Assert.Equal("abc123", deliver.OptionalParameters.ReceiptedMessageId);
        Assert.Equal(MessageState.Delivered, deliver.OptionalParameters.MessageState);
        Assert.Equal([TlvTag.ReceiptedMessageId, TlvTag.MessageState], deliver.OptionalParameters.Select(t => t.Tag));
        Assert.Equal(frame, SmppPduWriter.ToArray(deliver));
    }

    [Theory]
    [InlineData("00000010 00000015 00000000 00000007", typeof(EnquireLink))]
    [InlineData("00000010 80000015 00000000 00000007", typeof(EnquireLinkResp))]
    [InlineData("00000010 00000006 00000000 00000007", typeof(Unbind))]
    [InlineData("00000010 80000006 00000000 00000007", typeof(UnbindResp))]
    [InlineData("00000010 80000008 00000000 00000007", typeof(CancelSmResp))]
    [InlineData("00000010 80000007 00000000 00000007", typeof(ReplaceSmResp))]
    [InlineData("00000010 80000000 00000003 00000007", typeof(GenericNack))]
    public void Header_only_pdus(string hex, Type type)
    {
        var frame = Hex(hex);

        var pdu = DecodeOnly<Pdu>(frame);

        Assert.IsType(type, pdu);
        Assert.Equal(7u, pdu.SequenceNumber);
        Assert.Equal((CommandId)BinaryPrimitives.ReadUInt32BigEndian(frame.AsSpan(4)), pdu.CommandId);
        Assert.Equal(frame, SmppPduWriter.ToArray(pdu));
    }

    [Fact]
    public void Generic_nack_carries_its_status()
    {
        var nack = DecodeOnly<GenericNack>(Hex("00000010 80000000 00000003 00000007"));

        Assert.Equal(CommandStatus.InvalidCommandId, nack.CommandStatus);
    }

    [Fact]
    public void Data_sm_with_message_payload()
    {
        var frame = Hex($"""
            00000039 00000103 00000000 0000000A
            57 41 50 00
            01 01 {Mobile}
            05 00 {MySender}
            00 01 08
            0424 0004 00 48 00 69
            """);

        var data = DecodeOnly<DataSm>(frame);

        Assert.Equal(10u, data.SequenceNumber);
        Assert.Equal("WAP", data.ServiceType);
        Assert.Equal(SmppAddress.International("254702739804"), data.Source);
        Assert.Equal(SmppAddress.Alphanumeric("MYSENDER"), data.Destination);
        Assert.Equal(0, data.EsmClass);
        Assert.Equal(1, data.RegisteredDelivery);
        Assert.Equal(DataCoding.Ucs2, data.DataCoding);
        Assert.Equal(new byte[] { 0x00, 0x48, 0x00, 0x69 }, data.OptionalParameters.MessagePayload?.ToArray());
        Assert.Equal(frame, SmppPduWriter.ToArray(data));
    }

    [Fact]
    public void Query_sm()
    {
        var frame = Hex($"00000022 00000003 00000000 0000000F {Abc123} 05 00 {MySender}");

        var query = DecodeOnly<QuerySm>(frame);

        Assert.Equal("abc123", query.MessageId);
        Assert.Equal(SmppAddress.Alphanumeric("MYSENDER"), query.Source);
        Assert.Equal(frame, SmppPduWriter.ToArray(query));
    }

    [Fact]
    public void Query_sm_resp()
    {
        var frame = Hex($"""
            0000002A 80000003 00000000 0000000B
            {Abc123}
            32 35 30 31 30 31 31 32 30 30 30 30 30 30 30 2B 00
            02 00
            """);

        var resp = DecodeOnly<QuerySmResp>(frame);

        Assert.Equal("abc123", resp.MessageId);
        Assert.Equal("250101120000000+", resp.FinalDate);
        Assert.Equal(MessageState.Delivered, resp.MessageState);
        Assert.Equal(0, resp.ErrorCode);
        Assert.Equal(frame, SmppPduWriter.ToArray(resp));
    }

    [Fact]
    public void Submit_multi_to_an_address_and_a_distribution_list()
    {
        var frame = Hex($"""
            00000040 00000021 00000000 0000000C
            00
            05 00 {MySender}
            02
            01 01 01 {Mobile}
            02 73 74 61 66 66 00
            00 00 00
            00
            00
            00 00 00 00
            02 48 69
            """);

        var multi = DecodeOnly<SubmitMulti>(frame);

        Assert.Equal(SmppAddress.Alphanumeric("MYSENDER"), multi.Source);
        Assert.Equal(
            [MultiDestination.Sme(SmppAddress.International("254702739804")), MultiDestination.DistributionList("staff")],
            multi.Destinations);
        Assert.Equal("Hi"u8.ToArray(), multi.ShortMessage.ToArray());
        Assert.Equal(frame, SmppPduWriter.ToArray(multi));
    }

    [Fact]
    public void Submit_multi_resp_lists_unsuccessful_destinations()
    {
        var frame = Hex("""
            00000027 80000021 00000000 0000000C
            6D 31 00
            01
            01 01 32 35 34 37 30 30 30 30 30 30 30 30 00 0000000B
            """);

        var resp = DecodeOnly<SubmitMultiResp>(frame);

        Assert.Equal("m1", resp.MessageId);
        var failure = Assert.Single(resp.UnsuccessfulDeliveries);
        Assert.Equal(SmppAddress.International("254700000000"), failure.Address);
        Assert.Equal(CommandStatus.InvalidDestinationAddress, failure.ErrorStatusCode);
        Assert.Equal(frame, SmppPduWriter.ToArray(resp));
    }

    [Fact]
    public void Cancel_sm()
    {
        var frame = Hex($"00000032 00000008 00000000 0000000D 00 {Abc123} 05 00 {MySender} 01 01 {Mobile}");

        var cancel = DecodeOnly<CancelSm>(frame);

        Assert.Equal("", cancel.ServiceType);
        Assert.Equal("abc123", cancel.MessageId);
        Assert.Equal(SmppAddress.Alphanumeric("MYSENDER"), cancel.Source);
        Assert.Equal(SmppAddress.International("254702739804"), cancel.Destination);
        Assert.Equal(frame, SmppPduWriter.ToArray(cancel));
    }

    [Fact]
    public void Replace_sm()
    {
        var frame = Hex($"""
            0000003A 00000007 00000000 0000000E
            {Abc123}
            05 00 {MySender}
            00
            30 30 30 30 30 31 30 30 30 30 30 30 30 30 30 52 00
            01 00
            03 42 79 65
            """);

        var replace = DecodeOnly<ReplaceSm>(frame);

        Assert.Equal("abc123", replace.MessageId);
        Assert.Equal(SmppAddress.Alphanumeric("MYSENDER"), replace.Source);
        Assert.Equal("", replace.ScheduleDeliveryTime);
        Assert.Equal("000001000000000R", replace.ValidityPeriod);
        Assert.Equal(1, replace.RegisteredDelivery);
        Assert.Equal(0, replace.SmDefaultMsgId);
        Assert.Equal("Bye"u8.ToArray(), replace.ShortMessage.ToArray());
        Assert.Equal(frame, SmppPduWriter.ToArray(replace));
    }

    [Fact]
    public void Outbind()
    {
        var frame = Hex("00000018 0000000B 00000000 00000001 53 4D 53 43 00 70 77 00");

        var outbind = DecodeOnly<Outbind>(frame);

        Assert.Equal("SMSC", outbind.SystemId);
        Assert.Equal("pw", outbind.Password);
        Assert.Equal(frame, SmppPduWriter.ToArray(outbind));
    }

    [Fact]
    public void Alert_notification()
    {
        var frame = Hex($"00000027 00000102 00000000 00000003 01 01 {Mobile} 05 00 54 41 49 46 41 00");

        var alert = DecodeOnly<AlertNotification>(frame);

        Assert.Equal(SmppAddress.International("254702739804"), alert.Source);
        Assert.Equal(SmppAddress.Alphanumeric("TAIFA"), alert.EsmeAddress);
        Assert.Equal(frame, SmppPduWriter.ToArray(alert));
    }

    [Theory]
    [InlineData(CommandId.BindReceiver, typeof(BindReceiverResp))]
    [InlineData(CommandId.BindTransmitter, typeof(BindTransmitterResp))]
    [InlineData(CommandId.BindTransceiver, typeof(BindTransceiverResp))]
    [InlineData(CommandId.SubmitSm, typeof(SubmitSmResp))]
    [InlineData(CommandId.SubmitMulti, typeof(SubmitMultiResp))]
    [InlineData(CommandId.DeliverSm, typeof(DeliverSmResp))]
    [InlineData(CommandId.DataSm, typeof(DataSmResp))]
    [InlineData(CommandId.QuerySm, typeof(QuerySmResp))]
    [InlineData(CommandId.CancelSm, typeof(CancelSmResp))]
    [InlineData(CommandId.ReplaceSm, typeof(ReplaceSmResp))]
    [InlineData(CommandId.EnquireLink, typeof(EnquireLinkResp))]
    [InlineData(CommandId.Unbind, typeof(UnbindResp))]
    public void Every_request_creates_its_own_response(CommandId commandId, Type responseType)
    {
        var request = Assert.IsAssignableFrom<SmppRequest>(PduTable.Create(commandId));
        request.SequenceNumber = 42;

        var response = request.CreateResponse(CommandStatus.SystemError);

        Assert.IsType(responseType, response);
        Assert.Equal(request.ResponseCommandId, response.CommandId);
        Assert.Equal(42u, response.SequenceNumber);
        Assert.Equal(CommandStatus.SystemError, response.CommandStatus);
    }

    [Fact]
    public void The_table_knows_every_named_command_and_nothing_else()
    {
        foreach (var commandId in Enum.GetValues<CommandId>())
        {
            Assert.Equal(commandId, PduTable.Create(commandId)?.CommandId);
            Assert.True(PduTable.IsKnown(commandId));
        }

        Assert.Null(PduTable.Create((CommandId)0x0000_0111));
        Assert.False(PduTable.IsKnown((CommandId)0x0000_0111));
    }
}
