using Taifa.Abstractions.Messages;
using Taifa.Domain.Numbers;
using Taifa.Silo.Dispatch;
using Taifa.Silo.Intake;
using Taifa.Silo.Smpp;
using Taifa.Smpp.Pdus;
using Taifa.Smpp.Text;

namespace Taifa.Silo.Tests.Smpp;

/// <summary>What a submit_sm is billed is what the dispatcher sends for it, part for part.</summary>
public sealed class SubmitSmIntakeTests
{
    private readonly SubmitSmIntake _intake = new(new RecipientParser(NumberingPlan.Kenya), maxParts: 255);

    public static TheoryData<SmsAlphabet, string> Texts => new()
    {
        { SmsAlphabet.Gsm7, new string('a', 160) },
        { SmsAlphabet.Gsm7, new string('a', 161) },
        { SmsAlphabet.Gsm7, new string('a', 151) + "€" + new string('a', 200) },
        { SmsAlphabet.Ucs2, new string('a', 70) },
        { SmsAlphabet.Ucs2, new string('a', 150) },
        { SmsAlphabet.Ucs2, new string('a', 1530) },
        { SmsAlphabet.Ucs2, "Habari 😀 " + new string('Ж', 140) },
        { SmsAlphabet.Latin1, "Garçon " + new string('a', 160) },
        { SmsAlphabet.Latin1, new string('é', 200) },
        { SmsAlphabet.Ascii, new string('a', 300) },
    };

    [Theory]
    [MemberData(nameof(Texts))]
    public void A_whole_text_is_billed_the_parts_it_is_sent_in(SmsAlphabet alphabet, string text)
    {
        var submit = Submit();
        submit.DataCoding = SmsText.GetDataCoding(alphabet);
        submit.OptionalParameters.MessagePayload = SmsText.Encode(alphabet, text);

        var read = _intake.Read(submit);

        Assert.Equal(CommandStatus.Ok, read.Rejection);
        Assert.Equal(Dispatched(read.Command!).Count, read.Parts);
        Assert.Equal(text, string.Concat(Dispatched(read.Command!).Select(MessageContent.GetText)));
    }

    [Theory]
    [InlineData(DataCoding.SmscDefault, 153, true)]
    [InlineData(DataCoding.SmscDefault, 154, false)]
    [InlineData(DataCoding.Ucs2, 67, true)]
    [InlineData(DataCoding.Ucs2, 68, false)]
    [InlineData(DataCoding.Latin1, 67, true)]
    [InlineData(DataCoding.Latin1, 68, false)]
    public void A_segment_is_taken_only_when_its_text_fits_the_one_part_it_is_sent_as(byte dataCoding, int length, bool taken)
    {
        // Latin-1 text outside GSM goes out as UCS-2, and must fit a UCS-2 part.
        var text = new string(dataCoding == DataCoding.Latin1 ? '¢' : 'a', length);
        var submit = Submit();
        submit.DataCoding = dataCoding;
        submit.OptionalParameters.SarMsgRefNum = 0x0203;
        submit.OptionalParameters.SarTotalSegments = 3;
        submit.OptionalParameters.SarSegmentSeqnum = 2;
        submit.OptionalParameters.MessagePayload = SmsText.Encode(SmsText.GetAlphabet(dataCoding)!.Value, text);

        var read = _intake.Read(submit);

        if (!taken)
        {
            Assert.Equal(CommandStatus.InvalidMessageLength, read.Rejection);
            Assert.Null(read.Command);
            return;
        }

        var sent = Assert.Single(Dispatched(read.Command!));
        Assert.Equal(1, read.Parts);
        Assert.Equal(new ConcatenationInfo(0x03, 3, 2), MessageContent.GetConcatenation(sent));
        Assert.Equal(text, MessageContent.GetText(sent));
    }

    private static SubmitSm Submit() => new()
    {
        Source = SmppAddress.Alphanumeric("TAIFA"),
        Destination = SmppAddress.International("254702739804"),
    };

    private static IReadOnlyList<SubmitSm> Dispatched(Taifa.Abstractions.Accounts.SendCommand command) => SmppOperatorLinks.Parts(new MessageRecord
    {
        MessageId = 1,
        RecipientId = 1,
        AccountId = 1,
        MobileNumber = "254702739804",
        NetworkId = 1,
        SenderId = command.SenderId,
        Text = command.Text,
        Encoding = command.Encoding,
        Parts = command.Parts,
        Cost = command.Parts,
        Channel = command.Channel,
        AcceptedAt = DateTimeOffset.UnixEpoch,
        Segment = command.Segment,
    }, reference: 1);
}
