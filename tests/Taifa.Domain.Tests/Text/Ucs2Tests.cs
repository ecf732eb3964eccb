using CsCheck;
using Taifa.Domain.Text;

namespace Taifa.Domain.Tests.Text;

public class Ucs2Tests
{
    [Fact]
    public void Encodes_utf16_big_endian_keeping_surrogate_pairs()
    {
        var bytes = Ucs2.Encode("A€😀");

        Assert.Equal(Convert.FromHexString("004120ACD83DDE00"), bytes);
        Assert.Equal("A€😀", Ucs2.Decode(bytes));
    }

    [Fact]
    public void Empty_text_is_no_bytes()
    {
        Assert.Empty(Ucs2.Encode(""));
        Assert.Equal("", Ucs2.Decode([]));
    }

    [Fact]
    public void An_odd_trailing_byte_is_ignored() =>
        Assert.Equal("A", Ucs2.Decode([0x00, 0x41, 0x20]));

    [Fact]
    public void A_lone_surrogate_passes_through_unchanged()
    {
        var bytes = Ucs2.Encode("a\uD83D");

        Assert.Equal(Convert.FromHexString("0061D83D"), bytes);
        Assert.Equal("a\uD83D", Ucs2.Decode(bytes));
    }

    [Fact]
    public void Encode_then_decode_round_trips_any_text() =>
        Gen.Char.Array[0, 200].Select(chars => new string(chars)).Sample(text =>
        {
            var bytes = Ucs2.Encode(text);
            Assert.Equal(text.Length * 2, bytes.Length);
            Assert.Equal(text, Ucs2.Decode(bytes));
        });
}
