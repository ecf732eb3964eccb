using System.Buffers;
using Taifa.Smpp.Codec;
using Taifa.Smpp.Pdus;

namespace Taifa.Smpp.Tests.Codec;

public class WriterTests
{
    public static TheoryData<Pdu> InvalidPdus => new()
    {
        new BindTransmitter { SystemId = new string('a', 16) },
        new BindTransmitter { Password = "123456789" },
        new SubmitSm { Source = SmppAddress.Alphanumeric(new string('a', 21)) },
        new SubmitSm { Destination = SmppAddress.International("25470\u00002739804") },
        new SubmitSm { ServiceType = "CMT€" },
        new SubmitSm { ValidityPeriod = "000001" },
        new SubmitSm { ShortMessage = new byte[255] },
        new SubmitMulti { Destinations = { MultiDestination.DistributionList(new string('d', 21)) } },
        new SubmitSmResp { MessageId = new string('m', 65) },
    };

    [Theory]
    [MemberData(nameof(InvalidPdus))]
    public void A_field_over_its_limit_throws_before_anything_is_written(Pdu pdu)
    {
        var output = new ArrayBufferWriter<byte>();

        Assert.Throws<ArgumentException>(() => SmppPduWriter.Write(pdu, output));

        Assert.Equal(0, output.WrittenCount);
    }

    [Fact]
    public void Submit_multi_takes_at_most_254_destinations()
    {
        var multi = new SubmitMulti();
        for (var i = 0; i < 255; i++)
        {
            multi.Destinations.Add(MultiDestination.Sme(SmppAddress.International("254700000000")));
        }

        Assert.Throws<ArgumentException>(() => SmppPduWriter.ToArray(multi));

        multi.Destinations.RemoveAt(0);
        Assert.Equal(254, SmppPduWriter.ToArray(multi)[20]);
    }

    [Fact]
    public void Frames_follow_each_other_in_the_output_and_the_returned_length_is_command_length()
    {
        var output = new ArrayBufferWriter<byte>();

        var first = SmppPduWriter.Write(new EnquireLink { SequenceNumber = 1 }, output);
        var second = SmppPduWriter.Write(new SubmitSmResp { SequenceNumber = 2, MessageId = "x" }, output);

        Assert.Equal(16, first);
        Assert.Equal(18, second);
        Assert.Equal(34, output.WrittenCount);
        Assert.Equal(18, output.WrittenSpan[16 + 3]);
    }

    [Fact]
    public void A_null_string_is_written_as_empty()
    {
        var bind = new BindTransmitter { SystemId = null!, SequenceNumber = 1 };

        Assert.Equal(new byte[] { 0 }, SmppPduWriter.ToArray(bind)[16..17]);
    }
}
