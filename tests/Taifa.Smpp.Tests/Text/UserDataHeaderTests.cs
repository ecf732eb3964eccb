using Taifa.Smpp.Codec;
using Taifa.Smpp.Pdus;
using Taifa.Smpp.Text;
using static Taifa.Smpp.Tests.Buffers;

namespace Taifa.Smpp.Tests.Text;

public class UserDataHeaderTests
{
    [Theory]
    [InlineData("05 00 03 2A 03 01 48 69", 0x2A, 3, 1)]
    [InlineData("06 08 04 12 34 02 02 48 69", 0x1234, 2, 2)]
    [InlineData("0B 05 04 0B 84 23 F0 00 03 2A 02 01 48", 0x2A, 2, 1)]
    public void Concatenation_is_found_with_8_and_16_bit_references_after_other_elements(string hex, int reference, int total, int part)
    {
        Assert.Equal(new ConcatenationInfo((ushort)reference, (byte)total, (byte)part), UserDataHeader.FindConcatenation(Hex(hex)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("05 00 03 2A 03")]
    [InlineData("05 00 03 2A 03 00")]
    [InlineData("05 00 03 2A 03 04")]
    [InlineData("05 00 03 2A 00 00")]
    [InlineData("05 00 04 2A 03 01")]
    [InlineData("04 05 04 0B 84 23")]
    public void A_missing_malformed_or_impossible_concatenation_is_null(string hex)
    {
        Assert.Null(UserDataHeader.FindConcatenation(Hex(hex)));
    }

    [Fact]
    public void Sar_tlvs_win_over_a_udh()
    {
        var deliver = new DeliverSm { EsmClass = EsmClass.UdhIndicator, ShortMessage = Hex("05 00 03 2A 03 01 48") };
        deliver.OptionalParameters.SarMsgRefNum = 0x0102;
        deliver.OptionalParameters.SarTotalSegments = 2;
        deliver.OptionalParameters.SarSegmentSeqnum = 2;

        Assert.Equal(new ConcatenationInfo(0x0102, 2, 2), MessageContent.GetConcatenation(deliver));
    }

    [Fact]
    public void A_udh_is_only_read_when_esm_class_says_so()
    {
        var deliver = new DeliverSm { ShortMessage = Hex("05 00 03 2A 03 01 48 69") };

        Assert.Null(MessageContent.GetConcatenation(deliver));
        Assert.Equal(8, MessageContent.GetText(deliver)!.Length);

        deliver.EsmClass = EsmClass.UdhIndicator;

        Assert.Equal(new ConcatenationInfo(0x2A, 3, 1), MessageContent.GetConcatenation(deliver));
        Assert.Equal("Hi", MessageContent.GetText(deliver));
    }

    [Fact]
    public void Content_in_message_payload_is_read_like_short_message()
    {
        var frame = SmppPduWriter.ToArray(new DataSm
        {
            EsmClass = EsmClass.UdhIndicator,
            DataCoding = DataCoding.Ucs2,
            OptionalParameters = { MessagePayload = Hex("05 00 03 07 02 02 00 48 00 69") },
        });
        var data = DecodeOnly<DataSm>(frame);

        Assert.Equal(new ConcatenationInfo(7, 2, 2), MessageContent.GetConcatenation(data));
        Assert.Equal("Hi", MessageContent.GetText(data));
        Assert.Equal("Hi", MessageContent.GetText(new SubmitSm { OptionalParameters = { MessagePayload = "Hi"u8.ToArray() } }));
    }

    [Fact]
    public void Binary_content_has_no_text()
    {
        Assert.Null(MessageContent.GetText(new SubmitSm { DataCoding = DataCoding.OctetUnspecified2, ShortMessage = new byte[] { 1 } }));
        Assert.Null(MessageContent.GetText(new EnquireLink()));
    }
}
