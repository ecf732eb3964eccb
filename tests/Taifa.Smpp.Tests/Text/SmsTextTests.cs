using CsCheck;
using Taifa.Smpp.Text;

namespace Taifa.Smpp.Tests.Text;

public class SmsTextTests
{
    [Theory]
    [InlineData(0x00, SmsAlphabet.Gsm7)]
    [InlineData(0x01, SmsAlphabet.Ascii)]
    [InlineData(0x02, SmsAlphabet.Binary)]
    [InlineData(0x03, SmsAlphabet.Latin1)]
    [InlineData(0x04, SmsAlphabet.Binary)]
    [InlineData(0x08, SmsAlphabet.Ucs2)]
    [InlineData(0x10, SmsAlphabet.Gsm7)]
    [InlineData(0x18, SmsAlphabet.Ucs2)]
    [InlineData(0xF0, SmsAlphabet.Gsm7)]
    [InlineData(0xF5, SmsAlphabet.Binary)]
    [InlineData(0x05, null)]
    [InlineData(0x1C, null)]
    [InlineData(0x20, null)]
    public void Data_coding_names_an_alphabet(byte dataCoding, SmsAlphabet? alphabet)
    {
        Assert.Equal(alphabet, SmsText.GetAlphabet(dataCoding));
    }

    [Fact]
    public void Gsm7_is_unpacked_with_escapes_for_the_extension_table()
    {
        Assert.Equal("Bei {5}€", SmsText.Decode(0x00, [0x42, 0x65, 0x69, 0x20, 0x1B, 0x28, 0x35, 0x1B, 0x29, 0x1B, 0x65]));
        Assert.Equal(new byte[] { 0x40, 0x1B, 0x3C }, SmsText.Encode(SmsAlphabet.Gsm7, "¡["));
    }

    [Fact]
    public void Ucs2_is_big_endian_and_keeps_surrogate_pairs()
    {
        Assert.Equal(new byte[] { 0x00, 0x48, 0xD8, 0x3D, 0xDE, 0x00 }, SmsText.Encode(SmsAlphabet.Ucs2, "H😀"));
        Assert.Equal("H😀", SmsText.Decode(0x08, [0x00, 0x48, 0xD8, 0x3D, 0xDE, 0x00]));
    }

    [Fact]
    public void Ia5_reads_ascii_and_replaces_other_octets()
    {
        Assert.Equal("Hi?", SmsText.Decode(0x01, [0x48, 0x69, 0xE9]));
        Assert.False(SmsText.CanEncode(SmsAlphabet.Ascii, "é"));
    }

    [Fact]
    public void Latin1_reads_every_octet()
    {
        Assert.Equal("café", SmsText.Decode(0x03, [0x63, 0x61, 0x66, 0xE9]));
        Assert.False(SmsText.CanEncode(SmsAlphabet.Latin1, "€"));
    }

    [Fact]
    public void Binary_content_is_not_text()
    {
        Assert.Null(SmsText.Decode(0x04, [0x01]));
        Assert.Throws<ArgumentException>(() => SmsText.Encode(SmsAlphabet.Binary, "x"));
    }

    [Fact]
    public void The_alphabet_chosen_is_gsm7_unless_a_character_is_missing_from_it()
    {
        Assert.Equal(SmsAlphabet.Gsm7, SmsText.ChooseAlphabet("Habari {rafiki}"));
        Assert.Equal(SmsAlphabet.Ucs2, SmsText.ChooseAlphabet("Habari 😀"));
        Assert.Throws<ArgumentException>(() => SmsText.Encode(SmsAlphabet.Gsm7, "😀"));
    }

    [Fact]
    public void Every_alphabet_reads_back_what_it_wrote()
    {
        Gen.Select(TextGenerators.Any, Gen.Enum<SmsAlphabet>()).Sample((text, alphabet) =>
        {
            if (SmsText.CanEncode(alphabet, text))
            {
                Assert.Equal(text, SmsText.Decode(SmsText.GetDataCoding(alphabet), SmsText.Encode(alphabet, text)));
            }
        }, iter: 2000);
    }
}
