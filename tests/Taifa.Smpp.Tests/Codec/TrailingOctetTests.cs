using System.Buffers.Binary;
using Taifa.Smpp.Codec;
using Taifa.Smpp.Pdus;
using static Taifa.Smpp.Tests.Buffers;
using static Taifa.Smpp.Tests.Codec.PduFixtureTests;

namespace Taifa.Smpp.Tests.Codec;

/// <summary>
/// Fewer than four octets after the last field or TLV cannot be a TLV: they are skipped and counted, as Kannel does
/// (the submit_sm of a widely used PHP client is in <see cref="PduFixtureTests"/>). Four or more must still be whole TLVs.
/// </summary>
public class TrailingOctetTests
{
    [Theory]
    [InlineData("00000011 00000015 00000000 00000007 00", 1)]
    [InlineData("00000012 00000015 00000000 00000007 00 00", 2)]
    [InlineData("00000013 00000015 00000000 00000007 02 10 00", 3)]
    public void A_header_only_pdu_with_up_to_three_octets_of_body_skips_them(string hex, int octets)
    {
        var frame = Hex(hex);

        var enquire = DecodeOnly<EnquireLink>(frame);

        Assert.Equal(7u, enquire.SequenceNumber);
        Assert.Empty(enquire.OptionalParameters);
        Assert.Equal(octets, enquire.IgnoredTrailingOctets);
        Assert.Equal(WithoutTail(frame, octets), SmppPduWriter.ToArray(enquire));
    }

    [Fact]
    public void Up_to_three_octets_after_the_last_tlv_are_skipped_and_the_tlvs_kept()
    {
        var frame = Hex("""
            0000001E 80000002 00000000 00000001
            54 41 49 46 41 00
            0210 0001 34
            00 00 00
            """);

        var resp = DecodeOnly<BindTransmitterResp>(frame);

        Assert.Equal(CommandStatus.Ok, resp.CommandStatus);
        Assert.Equal(1u, resp.SequenceNumber);
        Assert.Equal("TAIFA", resp.SystemId);
        Assert.Equal(InterfaceVersion.V34, resp.OptionalParameters.ScInterfaceVersion);
        Assert.Equal([TlvTag.ScInterfaceVersion], resp.OptionalParameters.Select(t => t.Tag));
        Assert.Equal(3, resp.IgnoredTrailingOctets);
        Assert.Equal(WithoutTail(frame, 3), SmppPduWriter.ToArray(resp));
    }

    [Theory]
    [InlineData("00 00 00 01")] // tag 0x0000 promising one octet it does not have
    [InlineData("00 02 10 00 01 34")] // the stray NUL before a TLV: misaligned, so a length past the end
    public void Four_or_more_octets_that_are_no_valid_tlv_are_still_refused(string tail)
    {
        var body = Hex($"{HelloSubmitBody} {tail}");

        var error = DecodeError(RawFrame(0x0000_0004, 2, body));

        Assert.False(error.IsFatal);
        Assert.Equal(CommandStatus.InvalidOptionalParameterStream, error.Status);
        Assert.Equal(2u, error.SequenceNumber);
        var reply = Assert.IsType<SubmitSmResp>(error.CreateReply());
        Assert.Equal(CommandStatus.InvalidOptionalParameterStream, reply.CommandStatus);
    }

    /// <summary>The frame as the writer sends it: the tail dropped and command_length shortened to match.</summary>
    internal static byte[] WithoutTail(byte[] frame, int octets)
    {
        var written = frame[..^octets];
        BinaryPrimitives.WriteUInt32BigEndian(written, (uint)written.Length);
        return written;
    }
}
