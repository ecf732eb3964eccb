using CsCheck;
using Taifa.Domain.Text;

namespace Taifa.Domain.Tests.Text;

public class SmsSegmenterTests
{
    private static string Repeat(string s, int count) => string.Concat(Enumerable.Repeat(s, count));

    [Fact]
    public void Empty_text_needs_no_parts() =>
        Assert.Equal(new SmsSegmentation(SmsEncoding.Gsm7, 0, 0), SmsSegmenter.Analyze(""));

    [Theory]
    [InlineData(1, 1)]
    [InlineData(160, 1)]
    [InlineData(161, 2)]
    [InlineData(306, 2)]
    [InlineData(307, 3)]
    [InlineData(459, 3)]
    [InlineData(460, 4)]
    public void Gsm7_text_fits_160_septets_in_one_part_and_153_in_each_of_several(int length, int parts) =>
        Assert.Equal(new SmsSegmentation(SmsEncoding.Gsm7, length, parts), SmsSegmenter.Analyze(new string('a', length)));

    [Theory]
    [InlineData(1, 1)]
    [InlineData(70, 1)]
    [InlineData(71, 2)]
    [InlineData(134, 2)]
    [InlineData(135, 3)]
    public void Ucs2_text_fits_70_code_units_in_one_part_and_67_in_each_of_several(int length, int parts) =>
        Assert.Equal(new SmsSegmentation(SmsEncoding.Ucs2, length, parts), SmsSegmenter.Analyze(new string('Ж', length)));

    [Theory]
    [InlineData("€", 80, 160, 1)]
    [InlineData("{", 81, 162, 2)]
    [InlineData("^", 152, 304, 2)]
    [InlineData("]", 153, 306, 3)] // 153 is odd: a part holds 76 pairs, so 306 septets need a third part
    public void Extension_characters_count_two_septets(string c, int count, int septets, int parts) =>
        Assert.Equal(new SmsSegmentation(SmsEncoding.Gsm7, septets, parts), SmsSegmenter.Analyze(Repeat(c, count)));

    [Fact]
    public void One_extension_character_tips_159_septets_into_two_parts() =>
        Assert.Equal(new SmsSegmentation(SmsEncoding.Gsm7, 161, 2), SmsSegmenter.Analyze(new string('a', 159) + "€"));

    [Fact]
    public void An_escape_pair_is_never_split_across_parts()
    {
        // 152 + 2 + 152 = 306 septets would fit two parts of 153, but only by splitting the euro's escape pair.
        var text = new string('a', 152) + "€" + new string('a', 152);

        Assert.Equal(new SmsSegmentation(SmsEncoding.Gsm7, 306, 3), SmsSegmenter.Analyze(text));
    }

    [Fact]
    public void An_escape_pair_that_ends_exactly_on_a_part_boundary_stays_in_that_part()
    {
        var text = new string('a', 151) + "€" + new string('a', 153);

        Assert.Equal(new SmsSegmentation(SmsEncoding.Gsm7, 306, 2), SmsSegmenter.Analyze(text));
    }

    [Theory]
    [InlineData(35, 70, 1)]
    [InlineData(36, 72, 2)]
    [InlineData(66, 132, 2)]
    [InlineData(67, 134, 3)] // 67 is odd: a part holds 33 pairs

    public void Emoji_are_surrogate_pairs_counting_two_code_units(int count, int units, int parts) =>
        Assert.Equal(new SmsSegmentation(SmsEncoding.Ucs2, units, parts), SmsSegmenter.Analyze(Repeat("😀", count)));

    [Fact]
    public void A_surrogate_pair_is_never_split_across_parts()
    {
        var text = new string('Ж', 66) + "😀" + new string('Ж', 66);

        Assert.Equal(new SmsSegmentation(SmsEncoding.Ucs2, 134, 3), SmsSegmenter.Analyze(text));
    }

    [Fact]
    public void A_lone_surrogate_counts_one_code_unit() =>
        Assert.Equal(new SmsSegmentation(SmsEncoding.Ucs2, 71, 2), SmsSegmenter.Analyze(new string('Ж', 70) + "\uD83D"));

    [Theory]
    [InlineData("Hello from Taifa Mobile", SmsEncoding.Gsm7)]
    [InlineData("Bei ni €5 {sasa}", SmsEncoding.Gsm7)]
    [InlineData("Habari 😀", SmsEncoding.Ucs2)]
    [InlineData("Garçon", SmsEncoding.Ucs2)]
    [InlineData("Tab\there", SmsEncoding.Ucs2)]
    [InlineData("مرحبا", SmsEncoding.Ucs2)]
    public void One_character_outside_the_gsm_alphabet_makes_the_whole_text_ucs2(string text, SmsEncoding encoding) =>
        Assert.Equal(encoding, SmsSegmenter.Analyze(text).Encoding);

    [Fact]
    public void Gsm7_parts_are_at_least_the_naive_count_and_lose_at_most_one_septet_each() =>
        Gsm7Tests.GsmText.Sample(text =>
        {
            var result = SmsSegmenter.Analyze(text);
            Assert.Equal(Gsm7.GetSeptetCount(text), result.Length);
            if (result.Length > 160)
            {
                Assert.InRange(result.Parts, (result.Length + 152) / 153, (result.Length + 151) / 152);
            }
        });

    [Theory]
    [InlineData(70, 1)]
    [InlineData(150, 3)]
    [InlineData(1530, 23)]
    public void Gsm_text_sent_as_ucs2_is_counted_in_ucs2_parts(int length, int parts) =>
        Assert.Equal(new SmsSegmentation(SmsEncoding.Ucs2, length, parts), SmsSegmenter.Analyze(new string('a', length), SmsEncoding.Ucs2));

    [Fact]
    public void The_chosen_encoding_counts_as_the_cheaper_one_does_when_they_agree() =>
        Gsm7Tests.GsmText.Sample(text => Assert.Equal(SmsSegmenter.Analyze(text), SmsSegmenter.Analyze(text, SmsEncoding.Gsm7)));

    [Fact]
    public void Gsm7_cannot_be_chosen_for_a_text_it_cannot_hold() =>
        Assert.Throws<ArgumentException>(() => SmsSegmenter.Analyze("Habari 😀", SmsEncoding.Gsm7));
}
