using CsCheck;
using Taifa.Domain.Text;

namespace Taifa.Domain.Tests.Text;

public class Gsm7Tests
{
    internal const string DefaultAlphabetChars =
        "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
        "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

    internal const string ExtensionChars = "\f^{}\\[~]|€";

    internal static readonly Gen<string> GsmText =
        Gen.Char[DefaultAlphabetChars + ExtensionChars].Array[0, 400].Select(chars => new string(chars));

    [Fact]
    public void Default_alphabet_has_127_characters_each_one_septet()
    {
        Assert.Equal(127, DefaultAlphabetChars.Length);
        Assert.Equal(127, Gsm7.GetSeptetCount(DefaultAlphabetChars));
    }

    [Theory]
    [InlineData('@', 0x00)]
    [InlineData('£', 0x01)]
    [InlineData('\n', 0x0A)]
    [InlineData('\r', 0x0D)]
    [InlineData('Δ', 0x10)]
    [InlineData('_', 0x11)]
    [InlineData('É', 0x1F)]
    [InlineData(' ', 0x20)]
    [InlineData('¤', 0x24)]
    [InlineData('¡', 0x40)]
    [InlineData('A', 0x41)]
    [InlineData('§', 0x5F)]
    [InlineData('¿', 0x60)]
    [InlineData('a', 0x61)]
    [InlineData('à', 0x7F)]
    public void Default_alphabet_characters_encode_to_their_03_38_code(char c, byte septet)
    {
        Span<byte> buffer = stackalloc byte[2];

        Assert.Equal(1, Gsm7.Encode([c], buffer));
        Assert.Equal(septet, buffer[0]);
        Assert.Equal(c.ToString(), Gsm7.Decode([septet]));
    }

    [Theory]
    [InlineData('\f', 0x0A)]
    [InlineData('^', 0x14)]
    [InlineData('{', 0x28)]
    [InlineData('}', 0x29)]
    [InlineData('\\', 0x2F)]
    [InlineData('[', 0x3C)]
    [InlineData('~', 0x3D)]
    [InlineData(']', 0x3E)]
    [InlineData('|', 0x40)]
    [InlineData('€', 0x65)]
    public void Extension_characters_encode_as_escape_then_code_and_round_trip(char c, byte septet)
    {
        Span<byte> buffer = stackalloc byte[2];

        Assert.Equal(2, Gsm7.GetSeptetCount([c]));
        Assert.Equal(2, Gsm7.Encode([c], buffer));
        Assert.Equal([Gsm7.Escape, septet], buffer.ToArray());
        Assert.Equal(c.ToString(), Gsm7.Decode(buffer));
    }

    [Theory]
    [InlineData("é€a", 4)]
    [InlineData("", 0)]
    [InlineData("Hello from Taifa Mobile", 23)]
    [InlineData("{[]}", 8)]
    public void Septet_count_counts_extension_characters_twice(string text, int septets) =>
        Assert.Equal(septets, Gsm7.GetSeptetCount(text));

    [Theory]
    [InlineData("Habari 😀")]
    [InlineData("ç")]
    [InlineData("`")]
    [InlineData("\t")]
    [InlineData("\u001B")]
    [InlineData("Ā")]
    [InlineData("Привет")]
    public void Characters_outside_the_alphabet_are_not_encodable(string text)
    {
        Assert.False(Gsm7.IsEncodable(text));
        Assert.Equal(-1, Gsm7.GetSeptetCount(text));
        Assert.Throws<ArgumentException>(() => Gsm7.Encode(text, new byte[64]));
    }

    [Fact]
    public void Encode_into_too_small_a_buffer_throws_and_writes_nothing()
    {
        var buffer = new byte[3];

        Assert.Throws<ArgumentException>(() => Gsm7.Encode("ab€", buffer));
        Assert.Equal(new byte[3], buffer);
    }

    [Fact]
    public void Decode_turns_septets_above_0x7F_into_question_marks() =>
        Assert.Equal("a?b", Gsm7.Decode([0x61, 0x80, 0x62]));

    [Fact]
    public void Decode_of_escape_before_a_code_outside_the_extension_table_falls_back_to_the_default_character() =>
        Assert.Equal("A", Gsm7.Decode([Gsm7.Escape, 0x41]));

    [Fact]
    public void Decode_of_escape_escape_shows_a_space() =>
        Assert.Equal("a b", Gsm7.Decode([0x61, Gsm7.Escape, Gsm7.Escape, 0x62]));

    [Fact]
    public void Decode_of_escape_before_an_invalid_septet_gives_a_question_mark() =>
        Assert.Equal("?", Gsm7.Decode([Gsm7.Escape, 0xFF]));

    [Fact]
    public void Decode_ignores_a_trailing_lone_escape() =>
        Assert.Equal("ab", Gsm7.Decode([0x61, 0x62, Gsm7.Escape]));

    [Fact]
    public void Decode_handles_text_longer_than_the_stack_buffer()
    {
        var text = new string('x', 1000);
        var septets = new byte[1000];
        Gsm7.Encode(text, septets);

        Assert.Equal(text, Gsm7.Decode(septets));
    }

    [Fact]
    public void Encode_then_decode_round_trips_any_gsm_text() =>
        GsmText.Sample(text =>
        {
            var septets = new byte[Gsm7.GetSeptetCount(text)];
            Assert.Equal(septets.Length, Gsm7.Encode(text, septets));
            Assert.Equal(text, Gsm7.Decode(septets));
        });

    [Fact]
    public void Pack_matches_the_03_38_worked_example()
    {
        // "hellohello" from 3GPP TS 23.038 §6.1.2.1.1.
        var septets = new byte[10];
        Gsm7.Encode("hellohello", septets);

        var packed = Gsm7.Pack(septets);

        Assert.Equal(Convert.FromHexString("E8329BFD4697D9EC37"), packed);
        Assert.Equal(septets, Gsm7.Unpack(packed, 10));
    }

    [Fact]
    public void Pack_of_eight_septets_fills_exactly_seven_octets() =>
        Assert.Equal(7, Gsm7.Pack(new byte[8]).Length);

    [Fact]
    public void Pack_rejects_values_above_0x7F() =>
        Assert.Throws<ArgumentException>(() => Gsm7.Pack([0x41, 0x80]));

    [Theory]
    [InlineData(-1)]
    [InlineData(10)]
    public void Unpack_rejects_a_septet_count_the_octets_cannot_hold(int septetCount) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Gsm7.Unpack(new byte[8], septetCount));

    [Fact]
    public void Pack_then_unpack_round_trips_any_septets() =>
        Gen.Byte[0, 0x7F].Array[0, 300].Sample(septets =>
        {
            var packed = Gsm7.Pack(septets);
            Assert.Equal((septets.Length * 7 + 7) / 8, packed.Length);
            Assert.Equal(septets, Gsm7.Unpack(packed, septets.Length));
        });
}
