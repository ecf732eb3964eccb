using CsCheck;
using Taifa.Domain.Text;
using Taifa.Smpp.Codec;
using Taifa.Smpp.Pdus;
using Taifa.Smpp.Text;

namespace Taifa.Smpp.Tests.Text;

public class MessageSplitterTests
{
    [Theory]
    [InlineData(SmsAlphabet.Gsm7, 160)]
    [InlineData(SmsAlphabet.Ucs2, 70)]
    [InlineData(SmsAlphabet.Latin1, 140)]
    public void A_text_that_fits_one_message_is_sent_whole_without_udh(SmsAlphabet alphabet, int length)
    {
        var part = Assert.Single(MessageSplitter.Split(new string('a', length), alphabet, 1));

        Assert.Equal(SmsText.Encode(alphabet, new string('a', length)), part);
    }

    [Theory]
    [InlineData(SmsAlphabet.Gsm7, 161, new[] { 153, 8 })]
    [InlineData(SmsAlphabet.Ucs2, 71, new[] { 67 * 2, 4 * 2 })]
    [InlineData(SmsAlphabet.Latin1, 300, new[] { 134, 134, 32 })]
    public void A_longer_text_is_cut_into_full_parts_behind_a_concatenation_header(SmsAlphabet alphabet, int length, int[] bodyLengths)
    {
        var parts = MessageSplitter.Split(new string('a', length), alphabet, 0x2A);

        Assert.Equal(bodyLengths, parts.Select(p => p.Length - UserDataHeader.ConcatenationHeaderLength));
        for (var i = 0; i < parts.Count; i++)
        {
            Assert.Equal(new byte[] { 0x05, 0x00, 0x03, 0x2A, (byte)parts.Count, (byte)(i + 1) }, parts[i][..6]);
        }
    }

    [Fact]
    public void A_gsm_escape_pair_is_never_cut()
    {
        var parts = MessageSplitter.Split(new string('a', 152) + "€" + new string('b', 10), SmsAlphabet.Gsm7, 1);

        Assert.Equal(6 + 152, parts[0].Length);
        Assert.Equal(new byte[] { 0x1B, 0x65 }, parts[1][6..8]);
    }

    [Fact]
    public void A_surrogate_pair_is_never_cut()
    {
        var parts = MessageSplitter.Split(new string('a', 66) + "😀" + new string('b', 10), SmsAlphabet.Ucs2, 1);

        Assert.Equal(6 + (66 * 2), parts[0].Length);
        Assert.Equal(new byte[] { 0xD8, 0x3D, 0xDE, 0x00 }, parts[1][6..10]);
    }

    [Fact]
    public void More_than_255_parts_is_refused()
    {
        Assert.Throws<ArgumentException>(() => MessageSplitter.Split(new string('a', (153 * 255) + 1), SmsAlphabet.Gsm7, 1));
        Assert.Throws<ArgumentException>(() => MessageSplitter.Split("😀", SmsAlphabet.Gsm7, 1));
    }

    [Fact]
    public void Submit_sms_copy_the_template_and_mark_udh_and_data_coding()
    {
        var template = new SubmitSm
        {
            Source = SmppAddress.Alphanumeric("MYSENDER"),
            Destination = SmppAddress.International("254702739804"),
            RegisteredDelivery = RegisteredDelivery.SmscReceiptOnSuccessOrFailure,
        };

        var submits = MessageSplitter.CreateSubmitSms(template, string.Concat(Enumerable.Repeat("Habari 😀 ", 10)), 9);

        Assert.Equal(2, submits.Count);
        Assert.All(submits, s =>
        {
            Assert.NotSame(template, s);
            Assert.Equal(template.Source, s.Source);
            Assert.Equal(template.Destination, s.Destination);
            Assert.Equal(RegisteredDelivery.SmscReceiptOnSuccessOrFailure, s.RegisteredDelivery);
            Assert.Equal(DataCoding.Ucs2, s.DataCoding);
            Assert.Equal(EsmClass.UdhIndicator, s.EsmClass);
            Assert.NotEmpty(SmppPduWriter.ToArray(s));
        });
        Assert.Equal(0, template.EsmClass);
        Assert.Equal(0, Assert.Single(MessageSplitter.CreateSubmitSms(template, "Hello", 9)).EsmClass);
    }

    [Fact]
    public void Parts_reassemble_to_the_text_and_their_number_matches_what_the_domain_charges()
    {
        Gen.Select(Gen.OneOf(TextGenerators.Gsm, TextGenerators.Unicode), Gen.Byte).Sample((text, reference) =>
        {
            var submits = MessageSplitter.CreateSubmitSms(new SubmitSm(), text, reference);

            Assert.Equal(text, string.Concat(submits.Select(MessageContent.GetText)));
            if (text.Length > 0)
            {
                Assert.Equal(SmsSegmenter.Analyze(text).Parts, submits.Count);
            }

            if (submits.Count > 1)
            {
                Assert.Equal(
                    Enumerable.Range(1, submits.Count).Select(i => new ConcatenationInfo(reference, (byte)submits.Count, (byte)i)),
                    submits.Select(s => MessageContent.GetConcatenation(s)!.Value));
            }
        }, iter: 1000);
    }

    [Fact]
    public void Text_sent_in_an_alphabet_chosen_for_it_has_the_parts_the_domain_charges_in_that_alphabet()
    {
        Gen.Select(TextGenerators.Gsm, Gen.Bool).Sample((text, asUcs2) =>
        {
            var (alphabet, encoding) = asUcs2 ? (SmsAlphabet.Ucs2, SmsEncoding.Ucs2) : (SmsAlphabet.Gsm7, SmsEncoding.Gsm7);
            var submits = MessageSplitter.CreateSubmitSms(new SubmitSm(), text, 1, alphabet);

            Assert.Equal(text, string.Concat(submits.Select(MessageContent.GetText)));
            Assert.Equal(Math.Max(1, SmsSegmenter.Analyze(text, encoding).Parts), submits.Count);
        }, iter: 1000);
    }
}
