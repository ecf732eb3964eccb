using CsCheck;
using Taifa.Domain.Numbers;

namespace Taifa.Domain.Tests.Numbers;

public class MobileNumberTests
{
    [Theory]
    [InlineData("0722000000", "254722000000")]
    [InlineData("0110000000", "254110000000")]
    [InlineData("0702739804", "254702739804")]
    [InlineData("0102739804", "254102739804")]
    [InlineData("254702739804", "254702739804")]
    [InlineData("254110000000", "254110000000")]
    [InlineData("+254722000000", "254722000000")]
    [InlineData("+254110000000", "254110000000")]
    [InlineData("722000000", "254722000000")]
    [InlineData("110000000", "254110000000")]
    [InlineData("00254722000000", "254722000000")]
    [InlineData("00254110000000", "254110000000")]
    [InlineData("0722 000 000", "254722000000")]
    [InlineData("0722-000-000", "254722000000")]
    [InlineData("07 22 00 00 00", "254722000000")]
    [InlineData("0722 - 000000", "254722000000")]
    [InlineData("+254 722 000 000", "254722000000")]
    [InlineData("+254-722-000000", "254722000000")]
    [InlineData("254 110 000 000", "254110000000")]
    [InlineData("722 000 000", "254722000000")]
    [InlineData("  0722000000  ", "254722000000")]
    [InlineData("\t+254722000000\r\n", "254722000000")]
    public void Accepted_forms_normalise_to_254_and_nine_digits(string input, string expected)
    {
        Assert.True(MobileNumber.TryNormalize(input, out var normalized));
        Assert.Equal(expected, normalized);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("+")]
    [InlineData("-")]
    [InlineData("072200000")]
    [InlineData("07220000000")]
    [InlineData("0822000000")]
    [InlineData("0222000000")]
    [InlineData("822000000")]
    [InlineData("254822000000")]
    [InlineData("254022000000")]
    [InlineData("25472200000")]
    [InlineData("2547220000000")]
    [InlineData("2540722000000")]
    [InlineData("+2540722000000")]
    [InlineData("+0722000000")]
    [InlineData("+722000000")]
    [InlineData("+00254722000000")]
    [InlineData("0025472200000")]
    [InlineData("255722000000")]
    [InlineData("+255722000000")]
    [InlineData("+1 722 000 0000")]
    [InlineData("0722abc000")]
    [InlineData("07220O0000")]
    [InlineData("0722.000.000")]
    [InlineData("(0722) 000000")]
    [InlineData("0722_000000")]
    [InlineData("0722/000000")]
    [InlineData("-0722000000")]
    [InlineData("0722000000-")]
    [InlineData("+ 254722000000")]
    [InlineData("++254722000000")]
    [InlineData("254+722000000")]
    [InlineData("0722\u00A0000000")]
    [InlineData("٠٧٢٢٠٠٠٠٠٠")]
    [InlineData("0722000000x")]
    [InlineData("12345678901234567890")]
    public void Everything_else_is_rejected(string? input)
    {
        Assert.False(MobileNumber.TryNormalize(input, out var normalized));
        Assert.Equal(string.Empty, normalized);
    }

    [Fact]
    public void Every_form_of_a_subscriber_number_normalises_to_the_same_number()
    {
        var subscriber = Gen.Select(Gen.Char["17"], Gen.Char['0', '9'].Array[8])
            .Select((first, rest) => first + new string(rest));
        var separator = Gen.OneOf("", "", " ", "-", " - ");

        Gen.Select(subscriber, Gen.OneOf("0", "254", "+254", "00254", ""), separator.Array[13])
            .Sample((number, prefix, separators) =>
            {
                var digits = prefix.TrimStart('+') + number;
                var spaced = (prefix.StartsWith('+') ? "+" : "") + digits[0]
                    + string.Concat(digits.Skip(1).Select((c, i) => separators[i] + c));

                Assert.True(MobileNumber.TryNormalize(spaced, out var normalized), spaced);
                Assert.Equal("254" + number, normalized);
            });
    }
}
