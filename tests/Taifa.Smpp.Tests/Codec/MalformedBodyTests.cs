using Taifa.Smpp.Codec;
using Taifa.Smpp.Pdus;
using static Taifa.Smpp.Tests.Buffers;

namespace Taifa.Smpp.Tests.Codec;

/// <summary>A broken body of a known command is recoverable: the frame is consumed and the reply names the fault.</summary>
public class MalformedBodyTests
{
    [Fact]
    public void A_system_id_of_15_characters_is_the_longest_allowed()
    {
        var bind = DecodeOnly<BindTransmitter>(Bind(new string('a', 15)));

        Assert.Equal(new string('a', 15), bind.SystemId);
    }

    [Fact]
    public void A_system_id_over_its_limit_fails_the_bind_with_invalid_system_id()
    {
        var error = DecodeError(Bind(new string('a', 16)));

        Assert.False(error.IsFatal);
        Assert.Equal(CommandStatus.InvalidSystemId, error.Status);
        Assert.Equal(CommandId.BindTransmitter, error.CommandId);
        var reply = Assert.IsType<BindTransmitterResp>(error.CreateReply());
        Assert.Equal(CommandStatus.InvalidSystemId, reply.CommandStatus);
        Assert.Equal(5u, reply.SequenceNumber);
    }

    [Theory]
    [InlineData(20, true)]
    [InlineData(21, false)]
    public void A_source_addr_holds_20_characters(int length, bool accepted)
    {
        var frame = SubmitSm(source: new string('7', length));

        if (accepted)
        {
            Assert.Equal(length, DecodeOnly<SubmitSm>(frame).Source.Address.Length);
        }
        else
        {
            var error = DecodeError(frame);
            Assert.Equal(CommandStatus.InvalidSourceAddress, error.Status);
            Assert.IsType<SubmitSmResp>(error.CreateReply());
        }
    }

    [Fact]
    public void A_schedule_delivery_time_must_be_empty_or_16_characters()
    {
        var error = DecodeError(SubmitSm(schedule: "2501011200"));

        Assert.Equal(CommandStatus.InvalidScheduledDeliveryTime, error.Status);
    }

    [Fact]
    public void A_c_string_without_its_nul_before_the_end_of_the_frame_is_rejected()
    {
        var error = DecodeError(Frame("00000004", "00 05 00 4D 59 53 45 4E"));

        Assert.Equal(CommandStatus.InvalidSourceAddress, error.Status);
    }

    [Fact]
    public void A_body_that_stops_before_its_mandatory_fields_is_an_invalid_command_length()
    {
        var error = DecodeError(Frame("00000004", "00 05 00 00 01 01 00 00"));

        Assert.Equal(CommandStatus.InvalidCommandLength, error.Status);
    }

    [Fact]
    public void An_sm_length_past_the_end_is_an_invalid_message_length()
    {
        var error = DecodeError(Frame("00000004", "00 05 00 00 01 01 00 00 00 00 00 00 01 00 00 00 09 48 69"));

        Assert.Equal(CommandStatus.InvalidMessageLength, error.Status);
    }

    [Fact]
    public void An_sm_length_above_254_is_an_invalid_message_length()
    {
        var body = Hex("00 05 00 00 01 01 00 00 00 00 00 00 01 00 00 00 FF").Concat(new byte[255]).ToArray();

        var error = DecodeError(RawFrame(0x0000_0004, 5, body));

        Assert.Equal(CommandStatus.InvalidMessageLength, error.Status);
    }

    [Fact]
    public void A_tlv_header_without_its_value_breaks_the_optional_parameter_stream()
    {
        var error = DecodeError(Frame("00000015", "0210 0001"));

        Assert.Equal(CommandStatus.InvalidOptionalParameterStream, error.Status);
        Assert.IsType<EnquireLinkResp>(error.CreateReply());
    }

    [Fact]
    public void A_tlv_longer_than_the_frame_breaks_the_optional_parameter_stream()
    {
        var error = DecodeError(Frame("00000015", "1400 0009 01 02"));

        Assert.Equal(CommandStatus.InvalidOptionalParameterStream, error.Status);
    }

    [Theory]
    [InlineData("020C 0001 01")]
    [InlineData("020E 0002 0001")]
    [InlineData("0423 0002 0100")]
    [InlineData("001E 0003 61 62 63")]
    public void A_known_tlv_with_the_wrong_length_is_an_invalid_parameter_length(string tlv)
    {
        var error = DecodeError(Frame("00000015", tlv));

        Assert.Equal(CommandStatus.InvalidParameterLength, error.Status);
    }

    [Fact]
    public void A_bad_dest_flag_in_submit_multi_is_reported()
    {
        var error = DecodeError(Frame("00000021", "00 05 00 00 01 07 00"));

        Assert.Equal(CommandStatus.InvalidDestinationFlag, error.Status);
        Assert.IsType<SubmitMultiResp>(error.CreateReply());
    }

    [Fact]
    public void A_broken_response_is_not_answered()
    {
        var error = DecodeError(Frame("80000004", "61 62 63"));

        Assert.Equal(CommandId.SubmitSmResp, error.CommandId);
        Assert.Null(error.CreateReply());
    }

    [Fact]
    public void A_broken_pdu_without_a_response_type_is_answered_with_generic_nack()
    {
        var error = DecodeError(Frame("0000000B", "53 4D 53 43"));

        Assert.IsType<GenericNack>(error.CreateReply());
    }

    private static byte[] Bind(string systemId) => RawFrame(
        0x0000_0002, 5, [.. Latin1(systemId), 0, 0x70, 0x77, 0, 0, 0x34, 0, 0, 0]);

    private static byte[] SubmitSm(string source = "", string schedule = "") => RawFrame(
        0x0000_0004,
        5,
        [0, 5, 0, .. Latin1(source), 0, 1, 1, 0x37, 0, 0, 0, 0, .. Latin1(schedule), 0, 0, 0, 0, 0, 0, 0]);

    private static byte[] Frame(string commandId, string body) =>
        RawFrame(Convert.ToUInt32(commandId, 16), 5, Hex(body));

    private static byte[] Latin1(string text) => System.Text.Encoding.Latin1.GetBytes(text);
}
