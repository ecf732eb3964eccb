using System.Globalization;
using System.Text.RegularExpressions;

namespace Taifa.Domain.Money;

/// <summary>Shillings with two decimal places, as the API shows them ("498.00").</summary>
public static partial class Money
{
    public static decimal Round(decimal amount) => Math.Round(amount, 2, MidpointRounding.AwayFromZero);

    /// <summary>Invariant, always two decimals, "-" for negatives; an amount that rounds to zero is "0.00".</summary>
    public static string Format(decimal amount)
    {
        var rounded = Round(amount);
        return (rounded == 0 ? 0m : rounded).ToString("0.00", CultureInfo.InvariantCulture);
    }

    /// <summary>Accepts "12", "12.5", "12.50", "-3.25"; rejects whitespace, signs other than a leading "-",
    /// more than two decimals, exponents, thousands separators and anything non-numeric.</summary>
    public static bool TryParse(string? text, out decimal amount)
    {
        amount = 0;
        return text is not null
            && AmountPattern().IsMatch(text)
            && decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out amount);
    }

    /// <exception cref="ArgumentOutOfRangeException"><paramref name="parts"/> is negative.</exception>
    public static decimal Cost(decimal pricePerPart, int parts)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(parts);
        return Round(pricePerPart * parts);
    }

    [GeneratedRegex(@"^-?[0-9]+(?:\.[0-9]{1,2})?\z", RegexOptions.CultureInvariant)]
    private static partial Regex AmountPattern();
}
