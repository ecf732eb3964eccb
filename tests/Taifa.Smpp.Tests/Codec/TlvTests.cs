using System.Buffers;
using Taifa.Smpp.Codec;
using Taifa.Smpp.Pdus;
using static Taifa.Smpp.Tests.Buffers;

namespace Taifa.Smpp.Tests.Codec;

public class TlvTests
{
    [Fact]
    public void Unknown_and_repeated_tlvs_round_trip_byte_for_byte_in_their_order()
    {
        var frame = RawFrame(0x0000_0103, 3, Hex("""
            00 01 01 37 00 01 01 38 00 00 00 00
            1401 0003 AA BB CC
            020C 0002 1234
            1401 0000
            3FFF 0001 00
            020E 0001 03
            020F 0001 01
            """));

        var data = DecodeOnly<DataSm>(frame);

        Assert.Equal([0x1401, TlvTag.SarMsgRefNum, 0x1401, 0x3FFF, TlvTag.SarTotalSegments, TlvTag.SarSegmentSeqnum], data.OptionalParameters.Select(t => t.Tag));
        Assert.Equal(new byte[] { 0xAA, 0xBB, 0xCC }, data.OptionalParameters.Find(0x1401)?.Value.ToArray());
        Assert.Equal((ushort)0x1234, data.OptionalParameters.SarMsgRefNum);
        Assert.Equal((byte)3, data.OptionalParameters.SarTotalSegments);
        Assert.Equal((byte)1, data.OptionalParameters.SarSegmentSeqnum);
        Assert.Equal(frame, SmppPduWriter.ToArray(data));
    }

    [Fact]
    public void Typed_accessors_write_the_spec_encoding()
    {
        var resp = new DataSmResp
        {
            SequenceNumber = 1,
            CommandStatus = CommandStatus.DeliveryFailure,
            OptionalParameters =
            {
                ReceiptedMessageId = "abc",
                MessageState = MessageState.Undeliverable,
                NetworkErrorCode = new NetworkErrorCode(1, 0x0022),
                UserMessageReference = 0x0102,
                ScInterfaceVersion = 0x34,
                MessagePayload = new byte[] { 1, 2 },
            },
        };

        var frame = SmppPduWriter.ToArray(resp);

        Assert.Equal(
            Hex("""
                00000036 80000103 000000FE 00000001
                00
                001E 0004 61 62 63 00
                0427 0001 05
                0423 0003 01 0022
                0204 0002 0102
                0210 0001 34
                0424 0002 01 02
                """),
            frame);
        var decoded = DecodeOnly<DataSmResp>(frame).OptionalParameters;
        Assert.Equal("abc", decoded.ReceiptedMessageId);
        Assert.Equal(MessageState.Undeliverable, decoded.MessageState);
        Assert.Equal(new NetworkErrorCode(1, 0x22), decoded.NetworkErrorCode);
        Assert.Equal((ushort)0x0102, decoded.UserMessageReference);
    }

    [Fact]
    public void Setting_a_typed_parameter_replaces_it_in_place_and_null_removes_it()
    {
        var list = new TlvList();
        list.SetUInt32(0x1500, 7);
        list.SarMsgRefNum = 1;
        list.SetByte(0x1501, 9);

        list.SarMsgRefNum = 2;

        Assert.Equal([0x1500, TlvTag.SarMsgRefNum, 0x1501], list.Select(t => t.Tag));
        Assert.Equal((ushort)2, list.SarMsgRefNum);
        Assert.Equal(7u, list.GetUInt32(0x1500));

        list.SarMsgRefNum = null;

        Assert.False(list.Contains(TlvTag.SarMsgRefNum));
        Assert.Equal(2, list.Count);
    }

    [Fact]
    public void Typed_getters_return_null_for_a_value_of_the_wrong_size()
    {
        var list = new TlvList();
        list.SetBytes(TlvTag.SarMsgRefNum, new byte[] { 1 });
        list.SetBytes(TlvTag.ReceiptedMessageId, "abc"u8.ToArray());

        Assert.Null(list.SarMsgRefNum);
        Assert.Null(list.ReceiptedMessageId);
    }

    [Fact]
    public void A_c_string_parameter_refuses_nul_and_non_latin1()
    {
        var list = new TlvList();

        Assert.Throws<ArgumentException>(() => list.SetCString(TlvTag.ReceiptedMessageId, "a\0b"));
        Assert.Throws<ArgumentException>(() => list.ReceiptedMessageId = "ab€");
    }

    [Fact]
    public void A_value_too_long_for_a_tlv_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TlvList().MessagePayload = new byte[65536]);
    }

    [Fact]
    public void Decoded_values_stay_valid_after_the_frame_buffer_is_reused()
    {
        var frame = SmppPduWriter.ToArray(new DeliverSm { ShortMessage = "Hi"u8.ToArray(), OptionalParameters = { MessagePayload = new byte[] { 7 } } });
        var buffer = new ReadOnlySequence<byte>(frame);
        SmppFrameReader.Default.TryRead(ref buffer, out var pdu, out _);

        Array.Clear(frame);

        var deliver = Assert.IsType<DeliverSm>(pdu);
        Assert.Equal("Hi"u8.ToArray(), deliver.ShortMessage.ToArray());
        Assert.Equal(new byte[] { 7 }, deliver.OptionalParameters.MessagePayload?.ToArray());
    }
}
