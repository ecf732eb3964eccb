using System.Globalization;
using CsCheck;

namespace Taifa.Domain.Tests.Money;

using Money = Taifa.Domain.Money.Money;

public class MoneyTests
{
    [Theory]
    [InlineData("0.005", "0.01")]
    [InlineData("0.015", "0.02")]
    [InlineData("2.675", "2.68")]
    [InlineData("-0.005", "-0.01")]
    [InlineData("1.234", "1.23")]
    [InlineData("1.2349999", "1.23")]
    [InlineData("498", "498")]
    public void Round_keeps_two_places_with_midpoints_away_from_zero(string amount, string expected) =>
        Assert.Equal(Parse(expected), Money.Round(Parse(amount)));

    [Theory]
    [InlineData("498", "498.00")]
    [InlineData("1.5", "1.50")]
    [InlineData("0.005", "0.01")]
    [InlineData("-1.5", "-1.50")]
    [InlineData("0", "0.00")]
    [InlineData("0.004", "0.00")]
    [InlineData("-0.004", "0.00")]
    [InlineData("1234567.891", "1234567.89")]
    public void Format_is_invariant_with_two_decimals(string amount, string expected) =>
        Assert.Equal(expected, Money.Format(Parse(amount)));

    [Fact]
    public void Format_ignores_the_current_culture()
    {
        var original = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("fr-FR");
            Assert.Equal("1234.50", Money.Format(1234.5m));
        }
        finally
        {
            CultureInfo.CurrentCulture = original;
        }
    }

    [Theory]
    [InlineData("12", "12")]
    [InlineData("12.5", "12.5")]
    [InlineData("12.50", "12.50")]
    [InlineData("0", "0")]
    [InlineData("0.01", "0.01")]
    [InlineData("-3.25", "-3.25")]
    [InlineData("007", "7")]
    public void TryParse_accepts_plain_invariant_amounts(string text, string expected)
    {
        Assert.True(Money.TryParse(text, out var amount));
        Assert.Equal(Parse(expected), amount);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData(" 12")]
    [InlineData("12 ")]
    [InlineData("12.505")]
    [InlineData("1e3")]
    [InlineData("1E3")]
    [InlineData("1,000")]
    [InlineData("1,5")]
    [InlineData("1 000")]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("-Infinity")]
    [InlineData("+12")]
    [InlineData("--1")]
    [InlineData("12.")]
    [InlineData(".5")]
    [InlineData("12.5.0")]
    [InlineData("0x10")]
    [InlineData("١٢")]
    [InlineData("12\n")]
    [InlineData("KES 12")]
    [InlineData("99999999999999999999999999999999")]
    public void TryParse_rejects_anything_else(string? text)
    {
        Assert.False(Money.TryParse(text, out var amount));
        Assert.Equal(0m, amount);
    }

    [Theory]
    [InlineData("0.80", 3, "2.40")]
    [InlineData("0.333", 3, "1.00")]
    [InlineData("0.335", 1, "0.34")]
    [InlineData("1", 0, "0")]
    [InlineData("1.00", 7, "7.00")]
    public void Cost_is_the_rounded_price_of_all_parts(string price, int parts, string expected) =>
        Assert.Equal(Parse(expected), Money.Cost(Parse(price), parts));

    [Fact]
    public void Cost_rejects_negative_parts() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Money.Cost(1m, -1));

    [Fact]
    public void Format_then_parse_gives_back_the_rounded_amount() =>
        Gen.Long[-10_000_000_000, 10_000_000_000].Select(thousandths => thousandths / 1000m).Sample(amount =>
        {
            Assert.True(Money.TryParse(Money.Format(amount), out var parsed));
            Assert.Equal(Money.Round(amount), parsed);
        });

    private static decimal Parse(string text) => decimal.Parse(text, CultureInfo.InvariantCulture);
}
