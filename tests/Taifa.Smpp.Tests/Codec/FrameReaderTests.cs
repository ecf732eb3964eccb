using System.Buffers;
using Taifa.Smpp.Codec;
using Taifa.Smpp.Pdus;
using static Taifa.Smpp.Tests.Buffers;

namespace Taifa.Smpp.Tests.Codec;

public class FrameReaderTests
{
    private static readonly byte[] EnquireLinkFrame = Hex("00000010 00000015 00000000 00000007");

    private static readonly byte[] SubmitSmFrame = SmppPduWriter.ToArray(new SubmitSm
    {
        SequenceNumber = 2,
        Source = SmppAddress.Alphanumeric("MYSENDER"),
        Destination = SmppAddress.International("254702739804"),
        ShortMessage = "Hello from Taifa"u8.ToArray(),
        OptionalParameters = { SarMsgRefNum = 0x1234 },
    });

    [Fact]
    public void A_repeated_source_address_is_one_instance_and_any_other_is_read_in_full()
    {
        var reader = new SmppFrameReader();
        SubmitSm Decode(SmppAddress source, string destination, params int[] segments)
        {
            var frame = SmppPduWriter.ToArray(new SubmitSm { Source = source, Destination = SmppAddress.International(destination) });
            var buffer = Segmented(frame, segments);
            Assert.True(reader.TryRead(ref buffer, out var pdu, out var error));
            Assert.Null(error);
            return (SubmitSm)pdu!;
        }

        var first = Decode(SmppAddress.Alphanumeric("MYSENDER"), "254702739804");
        var second = Decode(SmppAddress.Alphanumeric("MYSENDER"), "254702739805", 20, 3);
        var sameTextOtherTon = Decode(new SmppAddress(TypeOfNumber.National, NumberingPlanIndicator.Unknown, "MYSENDER"), "254702739806");
        var onePrefix = Decode(SmppAddress.Alphanumeric("MYSENDEX"), "254702739807", 21);
        var longer = Decode(SmppAddress.Alphanumeric("MYSENDERS"), "254702739808");

        Assert.Same(first.Source, second.Source);
        Assert.Equal("254702739805", second.Destination.Address);
        Assert.Equal(new SmppAddress(TypeOfNumber.National, NumberingPlanIndicator.Unknown, "MYSENDER"), sameTextOtherTon.Source);
        Assert.Equal(SmppAddress.Alphanumeric("MYSENDEX"), onePrefix.Source);
        Assert.Equal(SmppAddress.Alphanumeric("MYSENDERS"), longer.Source);
        Assert.NotSame(first.Destination, second.Destination);
    }

    [Fact]
    public void Fewer_bytes_than_command_length_need_more_and_leave_the_buffer_untouched()
    {
        for (var available = 0; available < SubmitSmFrame.Length; available++)
        {
            var buffer = new ReadOnlySequence<byte>(SubmitSmFrame, 0, available);
            var before = buffer;

            Assert.False(SmppFrameReader.Default.TryRead(ref buffer, out var pdu, out var error));

            Assert.Null(pdu);
            Assert.Null(error);
            Assert.Equal(before.Start, buffer.Start);
            Assert.Equal(before.End, buffer.End);
        }
    }

    [Fact]
    public void Bytes_arriving_one_at_a_time_make_the_same_pdu()
    {
        var stream = SubmitSmFrame.Concat(EnquireLinkFrame).ToArray();
        var received = new List<byte>();
        var pdus = new List<Pdu>();

        foreach (var b in stream)
        {
            received.Add(b);
            var buffer = new ReadOnlySequence<byte>(received.ToArray());
            while (SmppFrameReader.Default.TryRead(ref buffer, out var pdu, out var error))
            {
                Assert.Null(error);
                pdus.Add(pdu!);
            }

            received = [.. buffer.ToArray()];
        }

        Assert.Empty(received);
        Assert.Collection(
            pdus,
            p => Assert.Equal(SubmitSmFrame, SmppPduWriter.ToArray(p)),
            p => Assert.IsType<EnquireLink>(p));
    }

    [Fact]
    public void A_frame_spread_over_one_byte_segments_decodes()
    {
        var buffer = OneBytePerSegment(SubmitSmFrame);

        Assert.True(SmppFrameReader.Default.TryRead(ref buffer, out var pdu, out var error));

        Assert.Null(error);
        Assert.Equal(0, buffer.Length);
        Assert.Equal(SubmitSmFrame, SmppPduWriter.ToArray(pdu!));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(30)]
    public void A_frame_cut_anywhere_into_segments_decodes(int firstSegment)
    {
        var buffer = Segmented(SubmitSmFrame, firstSegment, 2, 7);

        Assert.True(SmppFrameReader.Default.TryRead(ref buffer, out var pdu, out _));

        Assert.Equal(0, buffer.Length);
        var submit = Assert.IsType<SubmitSm>(pdu);
        Assert.Equal("Hello from Taifa"u8.ToArray(), submit.ShortMessage.ToArray());
        Assert.Equal((ushort)0x1234, submit.OptionalParameters.SarMsgRefNum);
    }

    [Fact]
    public void Several_pdus_in_one_read_come_out_in_order_and_the_partial_tail_stays()
    {
        var stream = EnquireLinkFrame.Concat(SubmitSmFrame).Concat(EnquireLinkFrame).Concat(SubmitSmFrame.Take(20)).ToArray();
        var buffer = Segmented(stream, 10, 40);
        var pdus = new List<Pdu>();

        while (SmppFrameReader.Default.TryRead(ref buffer, out var pdu, out _))
        {
            pdus.Add(pdu!);
        }

        Assert.Equal([CommandId.EnquireLink, CommandId.SubmitSm, CommandId.EnquireLink], pdus.Select(p => p.CommandId));
        Assert.Equal(SubmitSmFrame.Take(20), buffer.ToArray());
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(15u)]
    public void A_length_below_the_header_is_fatal_as_soon_as_it_is_read(uint length)
    {
        var buffer = new ReadOnlySequence<byte>(BigEndian(length));

        Assert.True(SmppFrameReader.Default.TryRead(ref buffer, out var pdu, out var error));

        Assert.Null(pdu);
        Assert.NotNull(error);
        Assert.True(error.IsFatal);
        Assert.Equal(CommandStatus.InvalidCommandLength, error.Status);
        Assert.Equal(length, error.CommandLength);
        Assert.Equal(4, buffer.Length);
        var nack = Assert.IsType<GenericNack>(error.CreateReply());
        Assert.Equal(CommandStatus.InvalidCommandLength, nack.CommandStatus);
    }

    [Theory]
    [InlineData(0x0001_0001u)]
    [InlineData(0x8000_0000u)]
    [InlineData(0xFFFF_FFFFu)]
    public void A_length_above_the_cap_is_fatal_without_allocating_the_frame(uint length)
    {
        var header = BigEndian(length).Concat(Hex("00000004 00000000 0000002A")).ToArray();
        var buffer = new ReadOnlySequence<byte>(header);
        var reader = SmppFrameReader.Default;
        reader.TryRead(ref buffer, out _, out _);

        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        Assert.True(reader.TryRead(ref buffer, out var pdu, out var error));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;

        Assert.Null(pdu);
        Assert.True(error!.IsFatal);
        Assert.Equal(CommandStatus.InvalidCommandLength, error.Status);
        Assert.Equal(CommandId.SubmitSm, error.CommandId);
        Assert.Equal(42u, error.SequenceNumber);
        Assert.InRange(allocated, 0, 1024);
        var nack = Assert.IsType<GenericNack>(error.CreateReply());
        Assert.Equal(42u, nack.SequenceNumber);
    }

    [Fact]
    public void The_cap_is_configurable()
    {
        var reader = new SmppFrameReader(maxCommandLength: (uint)SubmitSmFrame.Length - 1);
        var buffer = new ReadOnlySequence<byte>(SubmitSmFrame);

        Assert.True(reader.TryRead(ref buffer, out _, out var error));

        Assert.True(error!.IsFatal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SmppFrameReader(maxCommandLength: 15));
    }

    [Fact]
    public void An_unknown_command_id_consumes_its_frame_and_asks_for_a_generic_nack()
    {
        var frame = Hex("00000014 00000111 00000000 00000009 DEADBEEF");
        var buffer = new ReadOnlySequence<byte>(frame.Concat(EnquireLinkFrame).ToArray());

        Assert.True(SmppFrameReader.Default.TryRead(ref buffer, out var pdu, out var error));

        Assert.Null(pdu);
        Assert.False(error!.IsFatal);
        Assert.Equal((CommandId)0x111, error.CommandId);
        Assert.Equal(9u, error.SequenceNumber);
        Assert.Equal(CommandStatus.InvalidCommandId, error.Status);
        var nack = Assert.IsType<GenericNack>(error.CreateReply());
        Assert.Equal(9u, nack.SequenceNumber);
        Assert.Equal(CommandStatus.InvalidCommandId, nack.CommandStatus);
        Assert.Equal(EnquireLinkFrame, buffer.ToArray());
    }

    private static byte[] BigEndian(uint value) => [(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value];
}
