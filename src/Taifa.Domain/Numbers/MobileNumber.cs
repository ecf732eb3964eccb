namespace Taifa.Domain.Numbers;

public static class MobileNumber
{
    private const string CountryCode = "254";
    private const int SubscriberDigits = 9;

    // Longest accepted form, 00254 + 9 digits; anything longer is rejected before it is examined.
    private const int MaxDigits = 14;

    /// <summary>
    /// Normalises a Kenyan mobile number to "254" + 9 digits. Accepts 07…/01… (10 digits), 7…/1… (9 digits),
    /// 2547…/2541…, +2547…/+2541… and 002547…/002541…, with spaces or dashes between digits and whitespace around.
    /// </summary>
    public static bool TryNormalize(string? input, out string normalized)
    {
        normalized = string.Empty;
        var text = input.AsSpan().Trim();
        var international = text.StartsWith('+');
        if (international)
        {
            text = text[1..];
        }

        Span<char> digits = stackalloc char[MaxDigits];
        if (!TryCollectDigits(text, digits, out var count))
        {
            return false;
        }

        ReadOnlySpan<char> subscriber = digits[..count] switch
        {
            ['2', '5', '4', .. var rest] when rest.Length == SubscriberDigits => rest,
            ['0', '0', '2', '5', '4', .. var rest] when !international && rest.Length == SubscriberDigits => rest,
            ['0', .. var rest] when !international && rest.Length == SubscriberDigits => rest,
            var all when !international && all.Length == SubscriberDigits => all,
            _ => [],
        };

        if (subscriber.IsEmpty || subscriber[0] is not ('7' or '1'))
        {
            return false;
        }

        normalized = string.Concat(CountryCode, subscriber);
        return true;
    }

    /// <summary>Copies the ASCII digits, allowing spaces and dashes only between two digits.</summary>
    private static bool TryCollectDigits(ReadOnlySpan<char> text, Span<char> digits, out int count)
    {
        count = 0;
        var previousWasDigit = false;
        foreach (var c in text)
        {
            if (char.IsAsciiDigit(c))
            {
                if (count == digits.Length)
                {
                    return false;
                }

                digits[count++] = c;
                previousWasDigit = true;
            }
            else if ((c is ' ' or '-') && count > 0)
            {
                previousWasDigit = false;
            }
            else
            {
                return false;
            }
        }

        return count > 0 && previousWasDigit;
    }
}
